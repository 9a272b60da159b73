"""The one notice notify decides itself: `webhook.paused` names the subscription's owner, so no other
service need decide whom it tells."""

from __future__ import annotations

from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from shared.contracts.webhooks import WebhookPaused


def paused_webhook_notice(event: WebhookPaused) -> NoticeDecided:
    return NoticeDecided(
        notice_key=f"webhook_paused:{event.subscription_id}:{event.paused_at.isoformat()}",
        kind=NoticeKind.WEBHOOK_PAUSED,
        urgent=False,
        site_code=event.site_code,
        facts={"site": event.site_code, "url": event.url, "why": event.why},
        recipients=[Recipient(audience=Audience.PERSON, who=event.owner)],
        decided_at=event.paused_at,
    )
