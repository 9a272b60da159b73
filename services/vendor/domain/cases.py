"""A vendor case: one escalation of a ticket to one partner, and its life.

    requested --sent--> sent --acknowledged--> acknowledged --> visit_scheduled / visited
                                                            --> in_repair (diagnosis, RMA issued)
                                                            --> replacement_shipped
    any open step --repaired--> fixed;  the replacement installed on site --> fixed
    any open step --declined--> declined;  we may cancel any open case --> cancelled
    fixed, declined, cancelled --close--> closed (the service manager's check)

A reply that makes no sense for the case (a repair report for a cancelled case, an acknowledgement
of a closed one) is refused with the reason, and the partner is told on its error queue. Replies are
taken concurrently, so two the partner sent back to back may be taken in the other order: one the
partner sent before a step already taken (by its own clock) is late, and is recorded without moving
the case.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from shared.contracts.partners import (
    Acknowledged,
    Declined,
    Diagnosis,
    PartnerMessage,
    Repaired,
    ReplacementShipped,
    RmaIssued,
    Visited,
    VisitScheduled,
)


class CaseStatus(StrEnum):
    REQUESTED = "requested"  # no active partner to send it to yet
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    VISIT_SCHEDULED = "visit_scheduled"
    VISITED = "visited"
    IN_REPAIR = "in_repair"
    REPLACEMENT_SHIPPED = "replacement_shipped"
    FIXED = "fixed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    CLOSED = "closed"


WORKING = frozenset(
    {
        CaseStatus.SENT,
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.VISIT_SCHEDULED,
        CaseStatus.VISITED,
        CaseStatus.IN_REPAIR,
        CaseStatus.REPLACEMENT_SHIPPED,
    }
)
OPEN = WORKING | {CaseStatus.REQUESTED}
ENDED = frozenset({CaseStatus.FIXED, CaseStatus.DECLINED, CaseStatus.CANCELLED})


class Step(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    VISIT_SCHEDULED = "visit_scheduled"
    VISITED = "visited"
    DIAGNOSIS = "diagnosis"
    RMA_ISSUED = "rma_issued"
    REPLACEMENT_SHIPPED = "replacement_shipped"
    REPAIRED = "repaired"
    DECLINED = "declined"


STEP_OF_REPLY: dict[type[PartnerMessage], Step] = {
    Acknowledged: Step.ACKNOWLEDGED,
    VisitScheduled: Step.VISIT_SCHEDULED,
    Visited: Step.VISITED,
    Diagnosis: Step.DIAGNOSIS,
    RmaIssued: Step.RMA_ISSUED,
    ReplacementShipped: Step.REPLACEMENT_SHIPPED,
    Repaired: Step.REPAIRED,
    Declined: Step.DECLINED,
}

# Where each step takes a working case; None: it stays where it is (a diagnosis is a note).
_NEXT: dict[Step, CaseStatus | None] = {
    Step.ACKNOWLEDGED: CaseStatus.ACKNOWLEDGED,
    Step.VISIT_SCHEDULED: CaseStatus.VISIT_SCHEDULED,
    Step.VISITED: CaseStatus.VISITED,
    Step.DIAGNOSIS: None,
    Step.RMA_ISSUED: CaseStatus.IN_REPAIR,
    Step.REPLACEMENT_SHIPPED: CaseStatus.REPLACEMENT_SHIPPED,
    Step.REPAIRED: CaseStatus.FIXED,
    Step.DECLINED: CaseStatus.DECLINED,
}


class ImpossibleStep(ValueError):
    pass


def after_step(status: CaseStatus, step: Step) -> CaseStatus:
    """The case's status after a partner's step; refused for a case no longer being worked, and for an
    acknowledgement of a case already past it."""
    if status not in WORKING:
        raise ImpossibleStep(f"the case is {status.value}: no {step.value} can be taken for it")
    if step is Step.ACKNOWLEDGED and status is not CaseStatus.SENT:
        raise ImpossibleStep(f"the case is {status.value}: it was acknowledged already")
    return _NEXT[step] or status


def is_late(sent_at: datetime, latest_step_sent_at: datetime | None) -> bool:
    """Whether the partner sent this reply before the latest step already taken for the case."""
    return latest_step_sent_at is not None and sent_at < latest_step_sent_at


def after_reply(status: CaseStatus, step: Step, *, late: bool) -> CaseStatus:
    """The case's status after a partner's reply. A late reply moves the case only to end it (a repair
    report overtaken by a diagnosis still fixes it); otherwise, or when it no longer makes sense, it is
    a note and the case stays where the partner's later step put it."""
    try:
        after = after_step(status, step)
    except ImpossibleStep:
        if late:
            return status
        raise
    return status if late and after not in ENDED else after


def after_cancel(status: CaseStatus) -> CaseStatus:
    if status not in OPEN:
        raise ImpossibleStep(f"the case is {status.value}: there is nothing to cancel")
    return CaseStatus.CANCELLED


def after_fix(status: CaseStatus) -> CaseStatus:
    """The service manager (or a device swap on site) says the case's work is done."""
    if status not in WORKING:
        raise ImpossibleStep(f"the case is {status.value}: it cannot be marked fixed")
    return CaseStatus.FIXED


def after_close(status: CaseStatus) -> CaseStatus:
    if status not in ENDED:
        raise ImpossibleStep(f"the case is {status.value}: only a fixed, declined or cancelled case closes")
    return CaseStatus.CLOSED
