"""The ticket list's HTTP API: every ticket the archive heard of, found by its words and filtered by what
the office asks (site, state, kind, priority, subsystem, engineer, days reported, clocks breached),
sorted and paged. A customer's representative lists their own site's tickets only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import to_json

from services.archive.db import ticket_list as rows
from services.archive.settings import ArchiveSettings
from shared.calendar_queries import Day
from shared.contracts import Priority, ServiceKind
from shared.http import Caller, Database

router = APIRouter(tags=["ticket list"])

MAX_PAGE = 10_000
"""The most lines one answer holds: an export's."""
MAX_WORDS = 8

Status = Literal[
    "new", "awaiting_assignment", "with_quality_desk", "assigned", "accepted", "on_site", "paused", "resolved", "closed"
]
Value = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TicketQuery(BaseModel):
    """The list's question. A filter given several times matches any of its values."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        None,
        max_length=200,
        description="Words, each of which must appear in the ticket's number, site, description, reporter "
        "(name or phone, with or without spaces), device or serial number; Chinese included.",
    )
    site_code: list[Value] = Field(default_factory=list, max_length=100)
    status: list[Status] = Field(default_factory=list)
    kind: list[ServiceKind] = Field(default_factory=list)
    priority: list[Priority] = Field(default_factory=list)
    subsystem: list[Value] = Field(default_factory=list, max_length=100)
    engineer_id: list[Value] = Field(default_factory=list, max_length=100)
    reported_from: Day | None = Field(None, description="Reported on or after this day, in the sites' time zone.")
    reported_to: Day | None = Field(None, description="Reported on or before this day, in the sites' time zone.")
    breached: bool | None = Field(None, description="true: a clock of the ticket ran out; false: none did.")
    open: bool | None = Field(None, description="true: not yet resolved or closed; false: resolved or closed.")
    sort: str = Field(
        "-reported_at",
        description=f"One of {', '.join(rows.SORTS)}; with a leading '-' the other way round (newest first).",
    )
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"Lines per page, at most {MAX_PAGE} (an export).")

    @field_validator("q")
    @classmethod
    def _few_words(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) > MAX_WORDS:
            raise ValueError(f"at most {MAX_WORDS} words: each one more is another look through every ticket")
        return value

    @field_validator("sort")
    @classmethod
    def _sortable(cls, value: str) -> str:
        if value.removeprefix("-") not in rows.SORTS:
            raise ValueError(f"cannot sort by {value!r}: give one of {', '.join(rows.SORTS)}, '-' first to reverse")
        return value


@router.get("/tickets")
async def list_tickets(
    question: Annotated[TicketQuery, Query()], request: Request, database: Database, caller: Caller
) -> Response:
    """Tickets as the office looks for them: `{"total": n, "page": p, "limit": l, "items": [...]}`, each
    item with the ticket's request, where it stands, its engineer and its clocks."""
    zone = ZoneInfo(cast(ArchiveSettings, request.app.state.runtime.settings).default_timezone)
    wanted = rows.TicketFilter(
        words=tuple(question.q.split()) if question.q else (),
        # A customer's representative sees their own site whatever they ask (the access rule checked the first).
        site_codes=(caller.site_code or "",) if caller.customer_only else tuple(question.site_code),
        statuses=tuple(question.status),
        kinds=tuple(kind.value for kind in question.kind),
        priorities=tuple(priority.value for priority in question.priority),
        subsystems=tuple(question.subsystem),
        engineer_ids=tuple(question.engineer_id),
        reported_from=_start_of(question.reported_from, zone),
        reported_before=_start_of(question.reported_to + timedelta(days=1), zone) if question.reported_to else None,
        breached=question.breached,
        open=question.open,
    )
    offset = (question.page - 1) * question.limit
    async with database.connect() as connection:
        total, items = await rows.listed(connection, wanted, sort=question.sort, offset=offset, limit=question.limit)
    answer: dict[str, Any] = {"total": total, "page": question.page, "limit": question.limit, "items": items}
    return Response(content=to_json(answer), media_type="application/json")


def _start_of(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=zone) if day else None
