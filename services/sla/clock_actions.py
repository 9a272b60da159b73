"""Applying what `domain.reconcile` decided, for either kind of clock: the writes in the SLA's schema
and the events through the outbox, in the transaction of the event or tick that led to them. A ticket's
actions are applied one by one, in order; a batch of fired timers' all at once (`apply_fired`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import assert_never

from services.sla.db import firing, repository
from services.sla.domain.outcome import Outcome
from services.sla.domain.reconcile import (
    Action,
    Announce,
    ArmTimers,
    DisarmTimers,
    RecordOutcome,
    Rewrite,
    Start,
)
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def apply(uow: UnitOfWork, actions: Iterable[Action]) -> None:
    connection = uow.connection
    for action in actions:
        if isinstance(action, Start):
            await repository.insert_clock(connection, **asdict(action.clock))
        elif isinstance(action, Rewrite):
            await repository.update_clock(
                connection,
                action.key,
                due_at=action.due_at,
                stopped_at=action.stopped_at,
                target_minutes=action.target_minutes,
                counting=action.counting,
                outcome=action.outcome,
            )
        elif isinstance(action, ArmTimers):
            await repository.arm_timers(connection, action.key, action.moments)
        elif isinstance(action, DisarmTimers):
            await repository.disarm_timers(connection, action.key)
        elif isinstance(action, RecordOutcome):
            await _record(uow, action)
        elif isinstance(action, Announce):
            uow.publish(action.event, correlation_id=action.key.ticket_id)
        else:
            assert_never(action)


async def _record(uow: UnitOfWork, action: RecordOutcome) -> None:
    breach = {"breached_at": action.breached_at} if action.breached_at is not None else {}
    await repository.update_clock(uow.connection, action.key, outcome=action.outcome, **breach)
    if action.outcome is Outcome.CANCELLED:
        log.info("clock cancelled", clock=action.key.kind, cycle=action.key.cycle)
    if action.corrects_breach:
        log.warning("breach corrected by a late report", clock=action.key.kind, cycle=action.key.cycle)


async def apply_fired(uow: UnitOfWork, actions: Sequence[Action]) -> None:
    """The actions of a batch of fired timers (`domain.reconcile.fire`): the breaches recorded in one
    statement, the announcements written to the outbox together when the unit of work ends."""
    breaches = []
    for action in actions:
        if isinstance(action, Announce):
            uow.publish(action.event, correlation_id=action.key.ticket_id)
        elif isinstance(action, RecordOutcome) and action.outcome is Outcome.BREACHED and action.breached_at:
            breaches.append((action.key, action.breached_at))
        else:
            raise ValueError(f"a fired timer does not {type(action).__name__}: {action}")
    await firing.record_breaches(uow.connection, breaches)
