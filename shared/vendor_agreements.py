"""When a vendor partner's agreement says each step of a case is due. The vendor service tells the
partner these deadlines; the SLA service times the partner's clocks by them: one rule, written once.

Hours and days are counted on the wall clock; a repair turnaround counts working days on the site's
calendar, due at the end of the last one (18:00, site time).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.calendar import calendar_of
from shared.contracts.partners import EscalationReason
from shared.contracts.sla import VendorClock
from shared.contracts.vendor import Agreement

END_OF_WORKING_DAY = time(18, 0)


def vendor_deadlines(
    agreement: Agreement, reason: EscalationReason, sent_at: datetime, timezone: str, country: str = "CN"
) -> dict[VendorClock, datetime]:
    """Each clock that runs for a case of this reason, with its deadline."""
    deadlines = {VendorClock.ACKNOWLEDGE: sent_at + timedelta(hours=agreement.acknowledge_hours)}
    if reason is EscalationReason.VENDOR_VISIT:
        deadlines[VendorClock.ON_SITE] = sent_at + timedelta(hours=agreement.on_site_hours)
    elif reason is EscalationReason.REPAIR:
        calendar = calendar_of(country)
        day = sent_at.astimezone(ZoneInfo(timezone)).date()
        for _ in range(agreement.repair_working_days):
            day = calendar.next_working_day(day)
        deadlines[VendorClock.REPAIR] = datetime.combine(day, END_OF_WORKING_DAY, ZoneInfo(timezone))
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
