"""The contract's on-site promise: 4 hours from notification on a working day, 8 on a holiday.

Which applies depends on the day the notification falls on, in the site's own time zone; the
deadline itself counts wall-clock hours, since the hotline and the engineers work 7x24.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.sla.domain.calendar import BusinessCalendar, DayType
from shared.contracts import ServiceKind

ON_SITE_TARGETS = {DayType.WORKING_DAY: timedelta(hours=4), DayType.HOLIDAY: timedelta(hours=8)}

# The promise is made for failures ("保养期内发生故障时"): a fault or a broken device. A complaint, a
# question or scheduled technical support sends nobody on site against the clock.
ON_SITE_KINDS = frozenset({ServiceKind.FAULT, ServiceKind.WARRANTY_REPAIR})


@dataclass(frozen=True)
class Deadline:
    started_at: datetime
    due_at: datetime
    target: timedelta
    day_type: DayType

    @property
    def target_minutes(self) -> int:
        return int(self.target.total_seconds() // 60)


def on_site_deadline(notified_at: datetime, timezone: str, calendar: BusinessCalendar) -> Deadline:
    local_day = notified_at.astimezone(ZoneInfo(timezone)).date()
    day_type = calendar.day_type(local_day)
    target = ON_SITE_TARGETS[day_type]
    # Added in UTC: adding to a zone-aware time counts wall-clock hours, which a DST change stretches.
    due_at = notified_at.astimezone(UTC) + target
    return Deadline(started_at=notified_at, due_at=due_at, target=target, day_type=day_type)
