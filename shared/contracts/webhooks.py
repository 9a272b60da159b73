"""Events of the webhooks that deliver a site's events to the customer's own systems."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Event


class WebhookPaused(Event):
    """A subscriber kept failing: its deliveries stop until its owner resumes it (and is to be told)."""

    message_type: ClassVar[str] = "webhook.paused"

    subscription_id: str
    site_code: str
    url: str
    owner: str = Field(description="Who made the subscription: an administrator or the site's representative.")
    why: str
    paused_at: AwareDatetime
