"""The periodic satisfaction review of a site: the plan has the service manager survey each customer
regularly (a visit, a call, an e-mail), quarterly unless the contract says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.dispatch.followups.domain.followup import Call, CallRefused, outcome_of


class Channel(StrEnum):
    VISIT = "visit"
    CALL = "call"
    EMAIL = "email"


@dataclass(frozen=True)
class Review:
    channel: Channel
    reached: bool
    satisfaction: int | None
    comments: str | None
    period: str | None = None  # default: the period the review is made in


def check_review(review: Review) -> None:
    """The same rules as a follow-up call's answer: reached means a score of 1 to 5."""
    outcome_of(Call(review.reached, review.satisfaction, review.comments), attempt=1, attempts_allowed=1)
    if review.period is not None and not _valid_period(review.period):
        raise CallRefused(f"period {review.period!r} is not a period: 2026-Q4 (quarters) or 2026-M11 (months)")


def period_of(moment: datetime, timezone: str, months: int) -> str:
    """The review period a moment falls in: quarters (2026-Q4) for 3 months, else months (2026-M11)."""
    day = moment.astimezone(ZoneInfo(timezone)).date()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if months == 3 else f"{day.year}-M{day.month:02d}"


def periods_of_year(year: int, months: int) -> list[str]:
    return [f"{year}-Q{q}" for q in range(1, 5)] if months == 3 else [f"{year}-M{m:02d}" for m in range(1, 13)]


def period_end(period: str) -> date:
    """The last day of a period, by which its review is due."""
    year, part = int(period[:4]), period[5:]
    last_month = int(part[1:]) * 3 if part.startswith("Q") else int(part[1:])
    following = date(year + (last_month == 12), last_month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _valid_period(period: str) -> bool:
    try:
        period_end(period)
    except (ValueError, IndexError):
        return False
    part = period[5:]
    return (
        len(period) >= 7
        and period[4] == "-"
        and (
            (part[0] == "Q" and part[1:] in {"1", "2", "3", "4"}) or (part[0] == "M" and 1 <= int(part[1:] or 0) <= 12)
        )
    )
