"""A day as the APIs take it, in a query or a body: YYYY-MM-DD only. Pydantic alone reads a number, or a
text of digits, as a Unix timestamp (`0` is 1970-01-01), which the OpenAPI's `format: date` does not
say; this type refuses that, and pydantic then checks the day is a real one. Pure: domain models use it."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _a_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise ValueError(f"{value!r} is no day: YYYY-MM-DD, e.g. 2026-11-27")


Day = Annotated[date, BeforeValidator(_a_day)]
"""A day in a query parameter or a request's body."""
