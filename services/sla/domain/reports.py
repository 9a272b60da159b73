"""The monthly service-level report of a site: what was promised, what was kept, the worst misses.

The monthly equipment and operation register cites it, so its figures follow one rule each:
a clock counts in the month it started (site time); compliance is met / (met + breached), clocks
still running within their target count in neither; the worst breaches of each kind are the latest,
by how far past their deadline the clock stopped (or stands now, if still running).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.sla.domain.outcome import Outcome, standing
from shared.contracts import ClockKind

WORST_SHOWN = 5


@dataclass(frozen=True)
class ClockRecord:
    ticket_id: str
    kind: str
    cycle: int
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    outcome: Outcome | None


def monthly_report(site_code: str, month: str, clocks: Iterable[ClockRecord], now: datetime) -> dict[str, Any]:
    records = list(clocks)
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in ClockKind:
        of_kind = [r for r in records if r.kind == kind.value]
        met = sum(1 for r in of_kind if _outcome(r, now) is Outcome.MET)
        breached = sum(1 for r in of_kind if _outcome(r, now) is Outcome.BREACHED)
        late = sorted(
            ((r, _lateness(r, now)) for r in of_kind if _outcome(r, now) is Outcome.BREACHED),
            key=lambda pair: pair[1],
            reverse=True,
        )[:WORST_SHOWN]
        per_kind[kind.value] = {
            "clocks": len(of_kind),
            "met": met,
            "breached": breached,
            "running": len(of_kind) - met - breached,
            "compliance_percent": round(100 * met / (met + breached), 1) if met + breached else None,
            "breached_tickets": sorted({r.ticket_id for r in of_kind if _outcome(r, now) is Outcome.BREACHED}),
            "worst_breaches": [
                {
                    "ticket_id": r.ticket_id,
                    "cycle": r.cycle,
                    "due_at": r.due_at,
                    "stopped_at": r.stopped_at,
                    "late_minutes": round(lateness.total_seconds() / 60, 1),
                }
                for r, lateness in late
            ],
        }
    return {
        "site_code": site_code,
        "month": month,
        "tickets": len({r.ticket_id for r in records}),
        "clocks": per_kind,
    }


def _outcome(record: ClockRecord, now: datetime) -> Outcome | None:
    return standing(record.outcome, record.due_at, record.stopped_at, now)


def _lateness(record: ClockRecord, now: datetime) -> timedelta:
    if record.due_at is None:
        return timedelta(0)
    return (record.stopped_at or now) - record.due_at


@dataclass(frozen=True)
class VendorClockRecord:
    partner: str
    clock: str
    case_number: str
    due_at: datetime | None
    stopped_at: datetime | None
    outcome: Outcome | None


def vendor_report(month: str, clocks: Iterable[VendorClockRecord], now: datetime) -> dict[str, Any]:
    """Per partner and clock: how many, met, breached, compliance, for clocks started in the month."""
    by_partner: dict[str, dict[str, dict[str, Any]]] = {}
    for record in clocks:
        outcome = standing(record.outcome, record.due_at, record.stopped_at, now)
        if outcome is Outcome.CANCELLED:
            continue
        counts = by_partner.setdefault(record.partner, {}).setdefault(
            record.clock, {"clocks": 0, "met": 0, "breached": 0, "breached_cases": []}
        )
        counts["clocks"] += 1
        if outcome is Outcome.MET:
            counts["met"] += 1
        elif outcome is Outcome.BREACHED:
            counts["breached"] += 1
            counts["breached_cases"].append(record.case_number)
    for kinds in by_partner.values():
        for counts in kinds.values():
            judged = counts["met"] + counts["breached"]
            counts["compliance_percent"] = round(100 * counts["met"] / judged, 1) if judged else None
    return {"month": month, "partners": by_partner}
