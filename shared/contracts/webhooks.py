"""Events of the webhooks that deliver a site's events to the customer's own systems."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.bounds import Code, Identifier, Name, Text, Url
from shared.contracts.envelope import Event


class WebhookPaused(Event):
    """A subscriber kept failing: its deliveries stop until its owner resumes it (and is to be told)."""

    message_type: ClassVar[str] = "webhook.paused"

    subscription_id: Identifier
    site_code: Code
    url: Url
    owner: Name = Field(description="Who made the subscription: an administrator or the site's representative.")
    why: Text
    paused_at: AwareDatetime
