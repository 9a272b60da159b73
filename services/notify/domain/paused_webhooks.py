"""The notices notify decides itself, where the event names whom to tell and no roster is needed:
`webhook.paused` (the subscription's owner) and `mail.flood_held` (the managers of the sender's site, or
of every site)."""

from __future__ import annotations

from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from shared.contracts.tickets import MailFloodHeld
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


def mail_flood_notice(event: MailFloodHeld) -> NoticeDecided:
    return NoticeDecided(
        notice_key=f"mail_flood:{event.sender}:{event.held_at:%Y%m%d%H}",
        kind=NoticeKind.MAIL_FLOOD,
        urgent=False,
        site_code=event.site_code,
        facts={"sender": event.sender, "count": event.count, "url": "/mail"},
        recipients=[Recipient(audience=Audience.MANAGERS)],
        decided_at=event.held_at,
    )
