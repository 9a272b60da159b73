"""The service report (服务月报) of a site for any span of days: what the customer is told of the service
the period brought, counted from the events the archive kept, the same way the register counts them
(domain/register_sections.py): tickets by subsystem and kind, each clock's promises kept and broken,
every breach with where its ticket stood when the clock ran out and how late it was, the inspections
made and missed, what the follow-up calls said, the devices that failed most, and the same month by
month for the charts.

A report is read, not signed: drawn up from the timeline whenever it is asked for, it says the same of
a period that has ended however often it is asked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.archive.domain import register_sections as sections
from services.archive.domain.drafting import local, worded
from services.archive.domain.story import Site, Story
from services.archive.domain.ticket_list import TicketLine, advance
from shared.contracts import (
    ClockKind,
    Event,
    InspectionVisitCompleted,
    InspectionVisitMissed,
    SlaBreached,
    SlaMet,
    TicketAccepted,
    TicketOnSite,
    TicketOpened,
    TicketReclassified,
    TicketResolved,
)

LONGEST = timedelta(days=366)
"""The longest span a report covers: a year (a longer one reads every event of the site)."""
DEVICES_SHOWN = 10
FAILURES = frozenset({"fault", "warranty_repair"})
"""The kinds of ticket that say a device failed (a question or a complaint does not)."""

Moment = tuple[datetime, Event]
"""An event with when it happened, as the timeline keeps it."""


class BadSpan(ValueError):
    """Days no report covers: the message says why."""


@dataclass(frozen=True)
class Span:
    """Days `first` to `last`, both included, in the site's time zone."""

    first: date
    last: date

    @classmethod
    def of(cls, first: date, last: date) -> Span:
        if last < first:
            raise BadSpan(f"the period ends ({last}) before it begins ({first})")
        if last - first >= LONGEST:
            raise BadSpan(f"a report covers at most {LONGEST.days} days; {first} to {last} is longer")
        return cls(first, last)

    def starts(self, timezone: str) -> datetime:
        return datetime.combine(self.first, time(), ZoneInfo(timezone))

    def ends(self, timezone: str) -> datetime:
        """The first moment after the span: midnight after its last day, at the site."""
        return datetime.combine(self.last + timedelta(days=1), time(), ZoneInfo(timezone))

    def months(self) -> list[str]:
        """The months the span touches, as YYYY-MM, oldest first."""
        found, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


# Why a clock ran out, from where its ticket stood at that moment (domain/ticket_list.py's states).
REASONS = {
    "new": "not_assigned",
    "assigned": "not_accepted",
    "accepted": "not_on_site",
    "on_site": "work_in_progress",
    "with_quality_desk": "with_quality_desk",
}
STOPS: Mapping[str, tuple[type[Event], ...]] = {
    ClockKind.RESPONSE.value: (TicketAccepted, TicketOnSite, TicketResolved),
    ClockKind.ON_SITE.value: (TicketOnSite, TicketResolved),
    ClockKind.RESOLUTION.value: (TicketResolved,),
}
"""What stops each clock (services/sla/domain/clocks.py): the first of them after a breach ends its lateness."""


def breach_reason(history: Sequence[Moment], at: datetime) -> tuple[str, str | None]:
    """Where the ticket stood when a clock ran out at `at`, as a reason code (a pause's reason: a code of
    the contract's), and the engineer who held it then. Why nobody could take it (who was off duty or
    full) is the staff's (shared/contracts/visibility.py): the customer's report says it was not assigned."""
    line = TicketLine("")
    for occurred_at, event in history:
        if occurred_at > at:
            break
        line = advance(line, event, occurred_at)
    if line.status == "paused":
        return line.pause_reason or "paused", line.engineer_name
    if line.status == "awaiting_assignment":
        return "not_assigned", None
    return REASONS.get(line.status, "state_unknown"), line.engineer_name


def breaches(
    events: Story,
    histories: Mapping[str, Sequence[Moment]],
    openings: Mapping[str, TicketOpened],
    site: Site,
    now: datetime,
) -> list[dict[str, Any]]:
    """Each clock that ran out in the period, latest due first, unless a late report showed it was met:
    its ticket, why, and how late it was stopped (wall-clock minutes; until now if it still runs)."""
    corrected = {(met.ticket_id, met.clock.value, met.cycle) for met in events.all(SlaMet) if met.corrects_breach} | {
        (met.ticket_id, met.clock.value, met.cycle)
        for moments in histories.values()
        for _, met in moments
        if isinstance(met, SlaMet) and met.corrects_breach
    }
    found: dict[tuple[str, str, int], SlaBreached] = {}
    for breach in events.all(SlaBreached):
        key = (breach.ticket_id, breach.clock.value, breach.cycle)
        if key not in corrected:
            found.setdefault(key, breach)
    rows = []
    for (ticket_id, clock, cycle), breach in found.items():
        history = histories.get(ticket_id, ())
        reason, engineer = breach_reason(history, breach.due_at)
        stopped = next((at for at, event in history if at >= breach.due_at and isinstance(event, STOPS[clock])), None)
        opened = openings.get(ticket_id)
        rows.append(
            {
                "ticket_id": ticket_id,
                "clock": clock,
                "cycle": cycle,
                "subsystem": opened.subsystem if opened else None,
                "due_at": local(breach.due_at, site),
                "stopped_at": local(stopped, site) if stopped else None,
                "late_minutes": round(((stopped or now) - breach.due_at).total_seconds() / 60),
                "reason": reason,
                "engineer_name": engineer,
            }
        )
    return sorted(rows, key=lambda row: (row["due_at"], row["ticket_id"], row["clock"]), reverse=True)


def failing_devices(
    events: Story, openings: Mapping[str, TicketOpened], kinds: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The devices named by most faults and warranty repairs reported in the period (by asset tag, or
    serial number when the report gave no tag), most first."""
    counted: Counter[str] = Counter()
    latest: dict[str, tuple[TicketOpened, list[str]]] = {}
    for opened in {o.ticket_id: o for o in events.all(TicketOpened)}.values():
        device = (openings.get(opened.ticket_id) or opened).device
        if device is None or kinds.get(opened.ticket_id, opened.kind.value) not in FAILURES:
            continue
        key = device.asset_tag or device.serial_number or ""
        if not key:
            continue
        counted[key] += 1
        tickets = latest.get(key, (opened, []))[1]
        latest[key] = (opened, [*tickets, opened.ticket_id])
    rows = []
    for key, count in sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))[:DEVICES_SHOWN]:
        opened, tickets = latest[key]
        device = opened.device
        assert device is not None
        rows.append(
            {
                "asset_tag": device.asset_tag,
                "serial_number": device.serial_number,
                "model": device.model,
                "subsystem": device.subsystem or opened.subsystem,
                "failures": count,
                "tickets": sorted(tickets),
            }
        )
    return rows


def inspections(events: Story) -> dict[str, Any]:
    """The register's count of inspections, with the visits made and missed by subsystem and each missed one."""
    counted = sections.inspections(events)
    made = {visit.visit_id: visit for visit in events.all(InspectionVisitCompleted)}
    missed = {visit.visit_id: visit for visit in events.all(InspectionVisitMissed)}
    per: dict[str, Counter[str]] = {}
    for visit in made.values():
        per.setdefault(visit.subsystem, Counter())["completed"] += 1
        per[visit.subsystem]["late"] += visit.late
    for gone in missed.values():
        per.setdefault(gone.subsystem, Counter())["missed"] += 1
    return {
        **counted,
        "by_subsystem": [
            {"subsystem": subsystem, "completed": c["completed"], "late": c["late"], "missed": c["missed"]}
            for subsystem, c in sorted(per.items())
        ],
        "missed_visits": [
            {"visit_id": gone.visit_id, "subsystem": gone.subsystem, "due_by": gone.due_by.isoformat()}
            for gone in sorted(missed.values(), key=lambda v: (v.due_by, v.visit_id))
        ],
    }


def by_month(moments: Sequence[Moment], span: Span, site: Site) -> list[dict[str, Any]]:
    """Month by month within the span: tickets opened, each clock's share kept, average satisfaction."""
    zone = ZoneInfo(site.timezone)
    buckets: dict[str, list[Event]] = {month: [] for month in span.months()}
    for at, event in moments:
        buckets.setdefault(f"{at.astimezone(zone):%Y-%m}", []).append(event)
    rows = []
    for month, events in buckets.items():
        story = Story(tuple(events))
        rows.append(
            {
                "month": month,
                "opened": len({opened.ticket_id for opened in story.all(TicketOpened)}),
                "sla": {row["clock"]: row["met_percent"] for row in sections.sla_results(story)},
                "average_satisfaction": sections.follow_ups(story)["average_satisfaction"],
            }
        )
    return rows


def service_report(
    site: Site,
    customer: str | None,
    span: Span,
    moments: Sequence[Moment],
    openings: Mapping[str, TicketOpened],
    reclassified: Iterable[TicketReclassified],
    histories: Mapping[str, Sequence[Moment]],
    *,
    now: datetime,
) -> dict[str, Any]:
    """The report of `span`. `moments`: the site's and its tickets' events of the span; `openings`: how
    each ticket they concern opened; `reclassified`: those tickets' changes of kind up to the span's end;
    `histories`: the events of each ticket with a breach in the span (for why and how late)."""
    events = Story(tuple(event for _, event in moments))
    changes = list(reclassified)
    kinds = {ticket: opened.kind.value for ticket, opened in openings.items()}
    for change in [*changes, *events.all(TicketReclassified)]:
        kinds[change.ticket_id] = change.kind.value
    tickets = sections.tickets(events, openings, changes)
    sla = sections.sla_results(events)
    broken = breaches(events, histories, openings, site, now)
    devices = failing_devices(events, openings, kinds)
    visits = inspections(events)
    content = {
        "site": {"code": site.code, "name": site.name, "customer": customer},
        "period": {"first": span.first.isoformat(), "last": span.last.isoformat(), "months": span.months()},
        "drawn_up_at": local(now, site),
        "tickets": tickets,
        "sla": sla,
        "breaches": broken,
        "breaches_by_reason": dict(sorted(Counter(row["reason"] for row in broken).items())),
        "inspections": visits,
        "follow_ups": sections.follow_ups(events),
        "devices": devices,
        "by_month": by_month(moments, span, site),
    }
    used = {
        "subsystem": [
            *(row["subsystem"] for row in tickets["by_subsystem_and_kind"]),
            *(row["subsystem"] for row in broken),
            *(row["subsystem"] for row in devices),
            *(row["subsystem"] for row in visits["by_subsystem"]),
            *(row["subsystem"] for row in visits["failed_items"]),
        ],
        "kind": [row["kind"] for row in tickets["by_subsystem_and_kind"]],
        "clock": [clock.value for clock in ClockKind],
        "breach_reason": [row["reason"] for row in broken],
    }
    return {**content, "words": worded(site, used)}
