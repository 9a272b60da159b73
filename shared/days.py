"""Days and moments as the APIs take them, in a query or a body: YYYY-MM-DD and ISO 8601 text only.
Pydantic alone reads a number, or a text of digits, as a Unix timestamp (`0` is 1970-01-01), which the
OpenAPI's `format: date` or `date-time` does not say; these types refuse that, and pydantic then checks
the value is a real one. Pure: domain models use them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _a_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise ValueError(f"{value!r} is no day: YYYY-MM-DD, e.g. 2026-11-27")


Day = Annotated[date, BeforeValidator(_a_day)]
"""A day in a query parameter or a request's body."""


_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]")


def _a_moment(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _MOMENT.match(value)):
        return value
    raise ValueError(f"{value!r} is no moment: ISO 8601, e.g. 2026-11-27T14:30:00+08:00")


Moment = Annotated[datetime, BeforeValidator(_a_moment)]
"""A moment as ISO 8601 text (with or without its offset), never a number read as a Unix timestamp."""

AwareMoment = Annotated[AwareDatetime, BeforeValidator(_a_moment)]
"""A moment as ISO 8601 text with its offset."""
