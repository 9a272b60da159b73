"""The call after every job (客户回访): when it is due, and what the customer's answer does.

After a ticket is resolved, someone calls the customer within one working day of the site's
calendar: the service manager's desk, or the quality desk for a complaint. Each call is recorded,
reached or not. A satisfied customer (3 to 5 out of 5) closes the ticket; a dissatisfied one (1 or 2)
reopens it with their own words as the reason, and the low score goes to the quality desk; a customer
not reached after the last attempt closes it, noted so. A follow-up not made in time is missed: it
still can be made, and the record says it was late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.dispatch.tickets.domain.lifecycle import MoveRefused, Refusal
from shared.calendar import BusinessCalendar
from shared.contracts import ServiceKind
from shared.contracts.followups import LOWEST_SATISFIED

SERVICE_MANAGER_DESK = "service_manager"
QUALITY_DESK = "quality"


class FollowUpStatus(StrEnum):
    DUE = "due"
    MISSED = "missed"  # not made in time; it can still be made
    DONE = "done"
    SUPERSEDED = "superseded"  # the ticket was reopened before the call


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    DISSATISFIED = "dissatisfied"
    UNREACHED = "unreached"
    TRY_AGAIN = "try_again"  # not reached, attempts left


@dataclass(frozen=True)
class Call:
    reached: bool
    satisfaction: int | None  # 1-5 when reached
    comments: str | None


class CallRefused(ValueError):
    pass


def desk_for(kind: ServiceKind) -> str:
    """Who calls: the quality desk follows up its own complaints."""
    return QUALITY_DESK if kind is ServiceKind.COMPLAINT else SERVICE_MANAGER_DESK


def due_at(
    resolved_at: datetime,
    timezone: str,
    calendar: BusinessCalendar,
    *,
    opens: time = time(9, 0),
    closes: time = time(18, 0),
    working_days: int = 1,
) -> datetime:
    """The same time of day, `working_days` working days after the day of resolution (site time), inside
    the site's business hours: a job resolved at night is called about when the office opens (from
    `opens`), one resolved late in the evening by the office's close (`closes`)."""
    zone = ZoneInfo(timezone)
    local = resolved_at.astimezone(zone)
    day = local.date()
    for _ in range(working_days):
        day = calendar.next_working_day(day)
    at = min(max(local.time().replace(tzinfo=None), opens), closes)
    return datetime.combine(day, at, tzinfo=zone)


def outcome_of(call: Call, attempt: int, attempts_allowed: int) -> Outcome:
    """What the call (the `attempt`-th) decides."""
    if call.reached and call.satisfaction is None:
        raise CallRefused("the customer was reached: record their satisfaction, 1 to 5")
    if not call.reached and call.satisfaction is not None:
        raise CallRefused("the customer was not reached: there is no satisfaction to record")
    if call.satisfaction is not None and not 1 <= call.satisfaction <= 5:
        raise CallRefused("satisfaction is 1 (very dissatisfied) to 5 (very satisfied)")
    if call.satisfaction is not None:
        return Outcome.SATISFIED if call.satisfaction >= LOWEST_SATISFIED else Outcome.DISSATISFIED
    return Outcome.UNREACHED if attempt >= attempts_allowed else Outcome.TRY_AGAIN


def reopening_reason(call: Call) -> str:
    """The customer's own words, as the reason the ticket is reopened."""
    words = (call.comments or "").strip()
    return (
        f"follow-up call, satisfaction {call.satisfaction}/5: {words}"
        if words
        else (f"follow-up call, satisfaction {call.satisfaction}/5")
    )


def check_can_close(ticket_id: str, status: FollowUpStatus | None, due: datetime | None) -> None:
    """A resolved ticket closes through its follow-up call, not around it."""
    if status in (FollowUpStatus.DUE, FollowUpStatus.MISSED):
        when = f"{due:%Y-%m-%d %H:%M}" if due else "now"
        raise MoveRefused(
            Refusal.FOLLOW_UP_PENDING,
            f"call the customer first: the follow-up of ticket {ticket_id} is {status.value} (due {when}); record "
            f"the call with POST /tickets/{ticket_id}/follow-up, which closes the ticket when they are satisfied",
        )
