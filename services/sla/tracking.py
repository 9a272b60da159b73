"""Keeping each ticket's clocks in line with what is known about the ticket: the use case behind
every ticket event the SLA service consumes.

Every ticket event is kept as a fact; then the ticket's clocks, its own (`domain.clocks`) and its vendor
partners' on each case (`domain.vendor_clocks`), are planned afresh from all its facts, compared with the
stored ones (`domain.reconcile`), and the resulting actions applied (`clock_actions`): clocks started,
moved, stopped and settled, and announced. Warnings and breaches of running clocks are the scheduler's
(`scheduler.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla import clock_actions
from services.sla.db import repository
from services.sla.domain.clock_state import ClockKey, PlannedClock, Terms
from services.sla.domain.clocks import ClockPlan, plan_clocks
from services.sla.domain.facts import TicketFacts, ticket_facts
from services.sla.domain.policy import Policy
from services.sla.domain.reconcile import reconcile
from services.sla.domain.vendor_clocks import VendorClockPlan, is_vendor_kind, plan_vendor_clocks
from shared.contracts import Envelope
from shared.messaging.unit_of_work import UnitOfWork


async def take_in(uow: UnitOfWork, message: Envelope[Any]) -> None:
    """Keep a ticket event as a fact and bring the ticket's clocks in line."""
    ticket_id: str = message.payload.ticket_id
    connection = uow.connection
    await repository.serialise_ticket(connection, ticket_id)
    await repository.record_fact(
        connection,
        message_id=message.message_id,
        ticket_id=ticket_id,
        type_=message.type,
        payload=message.payload.model_dump(mode="json"),
    )
    ticket = await load_ticket(connection, ticket_id, to_change=True)
    if ticket is not None:
        await _reconcile(uow, ticket)


@dataclass(frozen=True)
class TrackedTicket:
    """A ticket as the SLA service holds it: its facts, its stored clocks, the policy they count by."""

    facts: TicketFacts
    stored: dict[ClockKey, Any]
    policy_code: str
    policy_version: int
    policy: Policy

    def plans(self) -> list[ClockPlan]:
        return plan_clocks(self.facts, self.policy)

    def vendor_plans(self) -> list[VendorClockPlan]:
        return plan_vendor_clocks(self.facts.vendor_cases)

    def key(self, plan: PlannedClock) -> ClockKey:
        return ClockKey(self.facts.ticket_id, plan.kind, plan.cycle)

    @property
    def terms(self) -> Terms:
        return Terms(
            site_code=self.facts.site_code,
            timezone=self.facts.timezone,
            policy_code=self.policy_code,
            policy_version=self.policy_version,
            calendar=self.policy.calendar,
            warn_at=self.policy.warn_at,
        )


async def load_ticket(connection: AsyncConnection, ticket_id: str, *, to_change: bool = False) -> TrackedTicket | None:
    """The ticket's facts, clocks and policy; None while its opening is not known (its facts wait).
    `to_change`: the clocks are locked until the transaction ends, as the scheduler locks those it fires."""
    facts = ticket_facts(ticket_id, await repository.facts_of(connection, ticket_id))
    if facts is None:
        return None
    rows = await repository.clocks_of(connection, ticket_id, to_change=to_change)
    stored = {ClockKey(row.ticket_id, row.kind, row.cycle): row for row in rows}
    own = [row for row in rows if not is_vendor_kind(row.kind)]
    if own:  # a ticket keeps the policy version its first clock started under
        code, version = own[0].policy_code, own[0].policy_version
        policy = await repository.policy_version(connection, code, version)
    else:
        code = await repository.policy_code_for_site(connection, facts.site_code)
        latest = await repository.latest_policy(connection, code)
        if latest is None:
            raise LookupError(f"SLA policy {code!r} of site {facts.site_code} does not exist")
        version, policy = latest
    return TrackedTicket(facts, stored, code, version, policy)


async def _reconcile(uow: UnitOfWork, ticket: TrackedTicket) -> None:
    planned: dict[ClockKey, PlannedClock] = {ticket.key(plan): plan for plan in ticket.plans()}
    planned |= {ticket.key(plan): plan for plan in ticket.vendor_plans()}
    stored = {key: repository.stored_clock(row) for key, row in ticket.stored.items()}
    await clock_actions.apply(uow, reconcile(ticket.terms, planned, stored))
