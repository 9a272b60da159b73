"""Notices to people: who must be told of what, and why, decided where the knowledge is (dispatch knows
the roster, the ticket's engineer, who is on shift or on call) and handed to the notify service, which
alone decides how and when each person is reached (channels, quiet hours, retries, the provider)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.bounds import MAX_ENTRIES, MAX_ITEMS, Code, Identifier, Text
from shared.contracts.envelope import Event


class NoticeKind(StrEnum):
    """What a notice is about; people choose their channels per kind."""

    ASSIGNED = "assigned"
    TAKEN_OFF = "taken_off"  # reassigned to someone else
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    VENDOR_BREACHED = "vendor_breached"
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    FOLLOW_UP_DUE = "follow_up_due"
    FOLLOW_UP_MISSED = "follow_up_missed"
    LOW_SATISFACTION = "low_satisfaction"
    WEBHOOK_PAUSED = "webhook_paused"
    FOLLOW_UP_ASKED = "follow_up_asked"  # the customer is asked how the job went (v2)
    CUSTOMER_COMMENTED = "customer_commented"  # the customer wrote on their ticket (v2)
    MERGED = "merged"  # a report the engineer held joined another ticket: nothing to do on it (v2)
    PAGED = "paged"  # nobody accepted a ticket in time: the next of the site's paging chain is woken (v3)
    MAIL_FLOOD = "mail_flood"  # one sender's mails to the hotline are held back, too many within the hour (v3)


NEW_IN_V2 = frozenset({NoticeKind.FOLLOW_UP_ASKED, NoticeKind.CUSTOMER_COMMENTED, NoticeKind.MERGED})
"""The kinds version 1 of `notice.decided` did not know."""

NEW_IN_V3 = frozenset({NoticeKind.PAGED, NoticeKind.MAIL_FLOOD})
"""The kinds version 2 did not know."""


class Audience(StrEnum):
    """Who a recipient is: one engineer, an office role at the notice's site, or one named person."""

    ENGINEER = "engineer"  # the engineer named by `who` (their engineer id)
    MANAGERS = "managers"  # the site's service managers
    QUALITY = "quality"  # the site's quality desk
    PERSON = "person"  # one person by their sign-in name (`who`)
    CUSTOMERS = "customers"  # the representatives of the notice's site (v2)


class Recipient(BaseModel):
    """One of the people, or office audiences, a notice is for."""

    model_config = ConfigDict(frozen=True)

    audience: Audience = Field(description="An engineer, the site's managers or quality desk, or one person.")
    who: Identifier | None = Field(
        None,
        description="The engineer id (audience `engineer`) or sign-in name (audience `person`) as the deciding "
        "service knows them; none for an office role, which means everyone with that role at the notice's site.",
    )
    on_duty: bool | None = Field(
        None,
        description="Whether the person is on shift or on call at the moment the notice was decided, from the "
        "roster; none where the deciding service cannot say (an office role, a person it has no roster for).",
    )


FactValue = Text | int | float | None
FactName = Annotated[str, StringConstraints(max_length=40)]


class NoticeDecided(Event):
    """Someone must be told something: the people (by engineer id, sign-in name or office role at the
    site) and why. The notify service reaches each of them once per channel, however often this is sent."""

    message_type: ClassVar[str] = "notice.decided"
    # v2: the customer's audience and notices; v3: pages and mail floods. Notify reads the earlier versions.
    schema_version: ClassVar[int] = 3
    reads_versions: ClassVar[tuple[int, ...]] = (1, 2)

    notice_key: Text = Field(
        description="What the notice is about, stable across redeliveries and republishing (e.g. "
        "`sla_breached:<ticket>:<clock>:<cycle>`): each person is told it once per channel."
    )
    kind: NoticeKind = Field(description="What the notice is about; the text and the person's channels follow it.")
    urgent: bool = Field(description="It cannot wait: it goes through quiet hours and by text message too.")
    ticket_id: Identifier | None = Field(None, description="The ticket it is about, if any (its link).")
    site_code: Code | None = Field(None, description="The site it is about; an office role is that site's.")
    facts: dict[FactName, FactValue] = Field(
        default_factory=dict,
        max_length=MAX_ENTRIES,
        description="What the texts name (ticket, site, subsystem, engineer, reason, clock, due as ISO 8601, "
        "minutes, partner, case, score, comments, caller, why, url); a text's field missing here reads as nothing.",
    )
    recipients: list[Recipient] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Whom to tell; each office role means all its people."
    )
    decided_at: AwareDatetime = Field(description="When it was decided (and when `on_duty` held).")

    def version_needed(self) -> int:
        if self.kind in NEW_IN_V3:
            return 3
        customers = any(recipient.audience is Audience.CUSTOMERS for recipient in self.recipients)
        return 2 if self.kind in NEW_IN_V2 or customers else 1
