"""The scheduler's statements: claiming the due timers, recording the breaches they announce and
stamping them fired, each one statement for a whole batch of timers.

They are compiled once (`PrecompiledStatement`): at thousands of timers a second the scheduler would
otherwise spend more time having SQLAlchemy build and cache them than the database spends running
them. A batch travels as arrays (`= ANY`, `unnest`), so the SQL text, and the statement asyncpg has
prepared for it, is the same whatever the batch's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import TIMESTAMP, BigInteger, Integer, Text, and_, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db.tables import clocks, timers
from services.sla.domain.clock_state import ClockKey
from services.sla.domain.outcome import Outcome
from services.sla.domain.reconcile import DueTimer
from shared.persistence.database import PrecompiledStatement

_ARMED = and_(timers.c.fired_at.is_(None), timers.c.due_at.is_not(None))

# The due timers from the front of the partial index `ix_timers_due`, earliest first, with their clocks:
# both locked, so that a handler changing the clock waits for the batch (and reads the breach it
# recorded) or, holding the clock already, has its timers skipped until the next look. Rows another
# scheduler holds are skipped too: replicas share the due timers without waiting for one another.
# (bench/sla_timers.py times it in the database too.)
CLAIM = PrecompiledStatement(
    select(
        timers.c.id,
        timers.c.ticket_id,
        timers.c.kind,
        timers.c.cycle,
        timers.c.fraction,
        timers.c.due_at,
        clocks.c.due_at.label("clock_due_at"),
        clocks.c.target_minutes,
        clocks.c.partner,
        clocks.c.case_number,
    )
    .join(
        clocks,
        and_(
            clocks.c.ticket_id == timers.c.ticket_id,
            clocks.c.kind == timers.c.kind,
            clocks.c.cycle == timers.c.cycle,
        ),
    )
    .where(_ARMED, timers.c.due_at <= bindparam("now", type_=TIMESTAMP(timezone=True)))
    .order_by(timers.c.due_at)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(of=[timers, clocks], skip_locked=True)
)

_MARK_FIRED = PrecompiledStatement(
    update(timers)
    .where(timers.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
    .values(fired_at=bindparam("at", type_=TIMESTAMP(timezone=True)))
)

_BREACHED = (
    func.unnest(
        bindparam("ticket_ids", type_=ARRAY(Text)),
        bindparam("kinds", type_=ARRAY(Text)),
        bindparam("cycles", type_=ARRAY(Integer)),
        bindparam("breached_at", type_=ARRAY(TIMESTAMP(timezone=True))),
    )
    .table_valued("ticket_id", "kind", "cycle", "breached_at")
    .render_derived(name="breached", with_types=False)
)
_RECORD_BREACHES = PrecompiledStatement(
    update(clocks)
    .where(
        clocks.c.ticket_id == _BREACHED.c.ticket_id,
        clocks.c.kind == _BREACHED.c.kind,
        clocks.c.cycle == _BREACHED.c.cycle,
    )
    .values(outcome=bindparam("outcome", type_=Text), breached_at=_BREACHED.c.breached_at, updated_at=func.now())
)

_NEXT_DUE = PrecompiledStatement(select(func.min(timers.c.due_at)).where(_ARMED))


async def claim_due_timers(connection: AsyncConnection, now: datetime, limit: int) -> list[DueTimer]:
    """Lock up to `limit` timers due by `now`, earliest first, with their clocks. Rows another replica
    holds, or whose clock a handler is changing, are skipped and left for the next look."""
    rows = await CLAIM.execute(connection, {"now": now, "limit": limit})
    return [
        DueTimer(
            timer_id=row.id,
            key=ClockKey(row.ticket_id, row.kind, row.cycle),
            fraction=row.fraction,
            due_at=row.due_at,
            clock_due_at=row.clock_due_at,
            target_minutes=row.target_minutes,
            partner=row.partner,
            case_number=row.case_number,
        )
        for row in rows
    ]


async def record_breaches(connection: AsyncConnection, breaches: Sequence[tuple[ClockKey, datetime]]) -> None:
    """Record each clock as breached at its moment, in one statement."""
    if breaches:
        await _RECORD_BREACHES.execute(
            connection,
            {
                "outcome": Outcome.BREACHED.value,
                "ticket_ids": [key.ticket_id for key, _ in breaches],
                "kinds": [key.kind for key, _ in breaches],
                "cycles": [key.cycle for key, _ in breaches],
                "breached_at": [moment for _, moment in breaches],
            },
        )


async def mark_fired(connection: AsyncConnection, timer_ids: Sequence[int], at: datetime) -> None:
    if timer_ids:
        await _MARK_FIRED.execute(connection, {"ids": list(timer_ids), "at": at})


async def next_due(connection: AsyncConnection) -> datetime | None:
    moment: datetime | None = (await _NEXT_DUE.execute(connection, {})).scalar()
    return moment
