"""What one escalation and one partner's reply cost the database: the statements the vendor service runs
for each (the kernel's inbox claim, outbox insert and transaction apart, which a window of messages may
share), counted over the real broker and database with the service in this process and printed. The vendor process is CPU-bound under a burst of
escalations (bench/vendor_partners.py), and each statement costs it more than its round trip."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import Contact, SiteDescribed, TicketEscalationNeeded, seal
from shared.contracts.partners import Acknowledged
from testkit.broker import EventTap, send_envelopes
from testkit.escalations import vendor_knows
from testkit.figures import report
from testkit.in_process import running
from testkit.partners import onboarded
from testkit.world import World

CASES = 5
KERNEL_TABLES = ("vendor.inbox", "vendor.outbox")
OWN_PER_ESCALATION = 2  # read what the request needs, write the case sent with its history
OWN_PER_REPLY = 2  # read the case (locked) with its partner, write the step with its history


class StatementCount:
    """The service's own statements per message handled, by the message the kernel binds to the log
    context while its handler runs."""

    def __init__(self) -> None:
        self.own: Counter[tuple[str, str]] = Counter()  # (type, message id): statements

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        bound = structlog.contextvars.get_contextvars()
        if "message_type" not in bound or any(table in statement for table in KERNEL_TABLES):
            return  # the relay, housekeeping, HTTP; the kernel's inbox and outbox
        self.own[bound["message_type"], bound["message_id"]] += 1

    def per_message(self, message_type: str) -> list[int]:
        return [count for (kind, _), count in sorted(self.own.items()) if kind == message_type]


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[StatementCount]:
    count = StatementCount()
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_an_escalation_and_a_reply_cost_two_statements_each(seeded: World, tap: EventTap) -> None:
    site = f"SC{uuid.uuid4().hex[:6].upper()}"
    async with onboarded(seeded) as partner, running(seeded, "vendor") as started:
        await send_envelopes(seeded.amqp_url, [seal(_site(site), producer="intake", correlation_id=site)])
        await vendor_knows(started["vendor"].http, site)
        with counting(started["vendor"].runtime.engine) as count:
            tickets = [f"{site}-{n:04d}" for n in range(CASES)]
            await send_envelopes(seeded.amqp_url, [_escalation(site, partner.code, ticket) for ticket in tickets])
            requests = [r["payload"] for r in await partner.take_requests(CASES, timeout=30)]
            for request in requests:
                ack = Acknowledged(case_number=request["case_number"], acknowledged_at=datetime.now(UTC))
                await partner.reply(ack, step="acknowledged")
            for ticket in tickets:
                await tap.wait_for("vendor.escalation.progressed", ticket)
    escalations = count.per_message(TicketEscalationNeeded.message_type)
    replies = count.per_message("vendor.reply.acknowledged")
    report(
        f"the vendor service's statements per escalation: {_spread(escalations)}\n"
        f"the vendor service's statements per reply:      {_spread(replies)}\n"
        "(besides the kernel's inbox claim, outbox insert and commit, which a window of messages shares)"
    )
    assert len(escalations) == CASES
    assert len(replies) == CASES
    assert max(escalations) <= OWN_PER_ESCALATION, escalations
    assert max(replies) <= OWN_PER_REPLY, replies


def _spread(values: list[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def _site(code: str) -> SiteDescribed:
    return SiteDescribed(
        site_code=code,
        name="Counting Plaza",
        address="1 Counting Road, Shanghai",
        timezone="Asia/Shanghai",
        customer="Counting Ltd",
        representative=Contact(name="Site manager", phone="+86 21 0000 0001"),
        contract_code=None,
    )


def _escalation(site: str, partner: str, ticket: str) -> Any:
    return seal(
        TicketEscalationNeeded(
            ticket_id=ticket,
            site_code=site,
            subsystem="av",
            vendor_code=partner,
            reason="repair",
            requested_at=datetime.now(UTC),
            escalation_id=f"{ticket}-V1",
            findings="Amplifier hums",
            engineer=Contact(name="Counting engineer", phone="+86 21 0000 0000"),
        ),
        producer="dispatch",
        correlation_id=ticket,
    )
