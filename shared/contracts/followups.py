"""Events of what comes after the work: the follow-up call, the periodic review of a site, and the
quality desk's cases. The archive files the follow-up and complaint handling records from them; the
monthly register reports satisfaction from them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.bounds import Code, Identifier, Name, Text
from shared.contracts.envelope import Event
from shared.contracts.vocabulary import Reporter

LOWEST_SATISFIED = 3
"""A satisfaction score (1 to 5) of a follow-up call or a site review at or above this is satisfied;
below it the customer is dissatisfied: the ticket reopens, the quality desk hears of it, the register
lists the customer's words, the console marks the month. The one threshold, for every service."""


class FollowUpDue(Event):
    """A ticket was resolved: the customer is to be called back."""

    message_type: ClassVar[str] = "followup.due"

    ticket_id: Identifier
    site_code: Code
    cycle: int = Field(description="Which resolution of the ticket it follows (2 after one reopening).")
    desk: Code = Field(description="Who calls: service_manager, or quality for a complaint.")
    due_at: AwareDatetime
    reporter: Reporter | None = Field(default=None, description="Who reported the problem.")


class FollowUpRecorded(Event):
    """One follow-up call, reached or not, and what it decided."""

    message_type: ClassVar[str] = "followup.recorded"

    ticket_id: Identifier
    site_code: Code
    cycle: int
    attempt: int
    reached: bool
    satisfaction: int | None = Field(default=None, description="1 (very dissatisfied) to 5 (very satisfied).")
    comments: Text | None = None
    caller: Name
    called_at: AwareDatetime
    outcome: Code = Field(description="satisfied (closed), dissatisfied (reopened), unreached (closed), try_again.")
    late: bool = Field(description="Made after the follow-up was due.")
    answered_by: Code | None = Field(
        default=None,
        description="customer: the customer answered themselves (the console, or its link in an e-mail), which "
        "counts as the follow-up call; none: the integrator called.",
    )


class FollowUpMissed(Event):
    """A follow-up was not made by the time it was due."""

    message_type: ClassVar[str] = "followup.missed"

    ticket_id: Identifier
    site_code: Code
    cycle: int
    due_at: AwareDatetime


class SiteReviewed(Event):
    """The periodic satisfaction review of a site (a visit, a call, an e-mail), recorded."""

    message_type: ClassVar[str] = "site.reviewed"

    site_code: Code
    period: Code = Field(description="The review period, e.g. 2026-Q4.")
    channel: Code = Field(description="visit, call or email.")
    reached: bool
    satisfaction: int | None = None
    comments: Text | None = None
    reviewer: Name
    reviewed_at: AwareDatetime


class QualityCaseOpened(Event):
    """The quality desk has a case: a complaint, or a low satisfaction score."""

    message_type: ClassVar[str] = "quality.case_opened"

    case_id: int
    site_code: Code
    ticket_id: Identifier | None
    origin: Code = Field(description="complaint, low_follow_up_score or low_review_score.")
    severity: Code
    summary: Text
    opened_at: AwareDatetime


class QualityCaseEscalated(Event):
    """The quality desk reported a case to the general manager or the service manager."""

    message_type: ClassVar[str] = "quality.case_escalated"

    case_id: int
    site_code: Code
    ticket_id: Identifier | None
    escalated_to: Code
    reason: Text
    actor: Name
    escalated_at: AwareDatetime


class QualityCaseAnswered(Event):
    """The case was handled and the customer answered."""

    message_type: ClassVar[str] = "quality.case_answered"

    case_id: int
    site_code: Code
    ticket_id: Identifier | None
    origin: Code
    severity: Code
    owner: Name
    handling: Text
    answer: Text
    escalated_to: Code | None
    answered_at: AwareDatetime
