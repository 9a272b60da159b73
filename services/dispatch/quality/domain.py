"""The quality desk's cases: complaints, low follow-up scores and low satisfaction reviews.

The maintenance plan sends complaints to the quality department, which reports each to the general
manager or the service manager depending on the case. A case has a severity, an owner at the quality
desk, the escalation it needed (to whom, when), what was done and the answer given to the customer,
each recorded. A complaint about an engineer is never handled by that engineer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts import Priority


class Origin(StrEnum):
    COMPLAINT = "complaint"
    LOW_FOLLOW_UP_SCORE = "low_follow_up_score"
    LOW_REVIEW_SCORE = "low_review_score"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class CaseStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    ANSWERED = "answered"


class EscalatedTo(StrEnum):
    GENERAL_MANAGER = "general_manager"
    SERVICE_MANAGER = "service_manager"


SEVERITY_OF_PRIORITY = {
    Priority.LOW: Severity.LOW,
    Priority.NORMAL: Severity.MEDIUM,
    Priority.HIGH: Severity.HIGH,
    Priority.CRITICAL: Severity.CRITICAL,
}


def default_escalation(severity: Severity) -> EscalatedTo:
    """Who a case is reported to when the desk does not say: the serious ones to the general manager."""
    return (
        EscalatedTo.GENERAL_MANAGER if severity in (Severity.HIGH, Severity.CRITICAL) else EscalatedTo.SERVICE_MANAGER
    )


class CaseRefused(ValueError):
    pass


@dataclass(frozen=True)
class Case:
    case_id: int
    status: CaseStatus
    subject_engineer_id: str | None
    owner: str | None


def check_owner(case: Case, owner: str) -> None:
    """Refuse the engineer a complaint is about as the one who handles it."""
    if case.subject_engineer_id is not None and owner == case.subject_engineer_id:
        raise CaseRefused(f"case {case.case_id} is about {owner}: someone else at the quality desk must handle it")


def check_open(case: Case) -> None:
    if case.status is CaseStatus.ANSWERED:
        raise CaseRefused(f"case {case.case_id} is answered already")
