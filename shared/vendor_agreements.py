"""When a vendor partner's agreement says each step of a case is due. The vendor service tells the
partner these deadlines; the SLA service times the partner's clocks by them: one rule, written once.

Hours and days are counted on the wall clock; a repair turnaround counts working days on the site's
calendar, due at the end of the last one (site time). Both services take that calendar and its end of
the working day from the site's SLA policy (`sla.site_calendar`): 18:00 on China's calendar until told.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.calendar import BusinessCalendar
from shared.contracts.partners import EscalationReason
from shared.contracts.sla import VendorClock
from shared.contracts.vendor import Agreement


def vendor_deadlines(
    agreement: Agreement,
    reason: EscalationReason,
    sent_at: datetime,
    timezone: str,
    calendar: BusinessCalendar,
    end_of_working_day: time,
) -> dict[VendorClock, datetime]:
    """Each clock that runs for a case of this reason, with its deadline; a repair is due at the
    `end_of_working_day` (site time) of its last working day on the site's `calendar`."""
    deadlines = {VendorClock.ACKNOWLEDGE: sent_at + timedelta(hours=agreement.acknowledge_hours)}
    if reason is EscalationReason.VENDOR_VISIT:
        deadlines[VendorClock.ON_SITE] = sent_at + timedelta(hours=agreement.on_site_hours)
    elif reason is EscalationReason.REPAIR:
        day = sent_at.astimezone(ZoneInfo(timezone)).date()
        for _ in range(agreement.repair_working_days):
            day = calendar.next_working_day(day)
        deadlines[VendorClock.REPAIR] = datetime.combine(day, end_of_working_day, ZoneInfo(timezone))
    elif reason is EscalationReason.REPLACEMENT:
        deadlines[VendorClock.REPLACEMENT] = sent_at + timedelta(days=agreement.replacement_days)
    return deadlines


def describe_target(agreement: Agreement, clock: VendorClock) -> str:
    """The promise behind a clock, in words: `4 hours`, `5 working days`."""
    return {
        VendorClock.ACKNOWLEDGE: f"{agreement.acknowledge_hours:g} hours",
        VendorClock.ON_SITE: f"{agreement.on_site_hours:g} hours",
        VendorClock.REPAIR: f"{agreement.repair_working_days} working days",
        VendorClock.REPLACEMENT: f"{agreement.replacement_days} days",
    }[clock]
