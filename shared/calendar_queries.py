"""Days, months and years as the HTTP APIs take them: checked before any route runs, so that `2026-13`,
`9999-12`, a year past what a database integer holds or a day given as a number are a 422 that says
what is allowed."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from shared.days import Day as Day  # re-exported: the types of the APIs' days, months and years together

FIRST_YEAR, LAST_YEAR = 2000, 2999
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only; matched whole


def _a_month(value: str) -> str:
    matched = _MONTH.fullmatch(value)
    if matched is None or not 1 <= int(matched[2]) <= 12 or not FIRST_YEAR <= int(matched[1]) <= LAST_YEAR:
        raise ValueError(f"{value!r} is no month: YYYY-MM, month 01 to 12, year {FIRST_YEAR} to {LAST_YEAR}")
    return value


Month = Annotated[
    str,
    Query(description=f"YYYY-MM (month 01 to 12, year {FIRST_YEAR} to {LAST_YEAR}).", examples=["2026-11"]),
    AfterValidator(_a_month),
]
"""A query parameter naming one month."""

Year = Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="A year, e.g. 2026.")]
"""A query parameter naming one year."""


def month_span(month: str) -> tuple[date, date]:
    """The first day of a checked month and the first day of the month after it."""
    first = date.fromisoformat(f"{month}-01")
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)
