"""Two vendor processes share the work against one broker and one database: a batch of escalations, each
published three times (once more under its own message id, once as a re-published copy under a new
one), and the partner's replies to every case, each delivered twice. Each case is opened and sent to
the partner exactly once, each reply applied once (no case's history repeats a step), and both
processes take part in both kinds of work; the figures are printed."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.vendor.partner_topology import REPLIES_QUEUE, errors_queue, requests_queue
from shared.contracts import Contract, TicketEscalationNeeded
from shared.contracts.envelope import Envelope, seal
from shared.contracts.partners import Acknowledged, Repaired
from testkit.broker import EventTap, queue_depth, send_envelopes
from testkit.escalations import vendor_knows
from testkit.figures import report
from testkit.identities import ADMIN
from testkit.in_process import running
from testkit.partners import Partner, onboarded
from testkit.processes import Process, aftercare_process, free_port, is_ready
from testkit.samples import again
from testkit.sites import fresh_site
from testkit.waiting import eventually, stays
from testkit.world import World

CASES = 20
INBOX = "vendor.inbox"
ESCALATION = TicketEscalationNeeded.message_type
REPLY_TYPES = ("vendor.reply.acknowledged", "vendor.reply.repaired")
WHOLE_CASE = ["requested", "sent", "acknowledged", "repaired", "fixed"]

Figures = Counter[tuple[str, str, str]]  # (queue, type, outcome): deliveries


async def test_two_vendor_processes_share_the_cases_and_handle_each_once(
    seeded: World, tap: EventTap, tmp_path: Path
) -> None:
    site = await fresh_site(seeded)
    ports = [free_port(), free_port()]
    environment = {**os.environ, **seeded.environment(), "AFTERCARE_LOG_FORMAT": "json"}
    async with onboarded(seeded) as partner, running(seeded, "intake"):  # intake tells the vendor of the site
        with (
            aftercare_process(
                "run", "vendor", env=environment | {"VENDOR_HTTP_PORT": str(ports[0])}, log_dir=tmp_path
            ) as first,
            aftercare_process(
                "run", "vendor", env=environment | {"VENDOR_HTTP_PORT": str(ports[1])}, log_dir=tmp_path
            ) as second,
        ):
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for url in urls:
                await eventually(partial(is_ready, url), timeout=60, what=f"vendor at {url} ready")
            async with httpx.AsyncClient(base_url=urls[0], headers=ADMIN) as vendor:
                await vendor_knows(vendor, site)
                await _inbox_drained(seeded)  # what earlier tests left for the vendor service is not ours
                before = [await _figures(url) for url in urls]
                started = time.monotonic()

                needed = [_escalation(site, partner, n) for n in range(1, CASES + 1)]
                tickets = {event.payload.ticket_id for event in needed}
                # Each escalation back to back with its copies: the two processes take them at once.
                await send_envelopes(seeded.amqp_url, [copy for e in needed for copy in (e, e, again(e))])
                requests = [r["payload"] for r in await partner.take_requests(CASES, timeout=30)]
                assert sorted(r["ticket_id"] for r in requests) == sorted(tickets)
                cases = {r["ticket_id"]: r["case_number"] for r in requests}
                assert len(set(cases.values())) == CASES
                await _inbox_drained(seeded)
                await stays(partial(_no_more_requests, seeded, partner), what="no case sent twice")

                await _reply_to_all(partner, vendor, cases.values(), _acknowledgement, step="acknowledged")
                await _reply_to_all(partner, vendor, cases.values(), _repair_report, step="repaired", then="fixed")
                elapsed = time.monotonic() - started

                for case in cases.values():
                    history = (await vendor.get(f"/cases/{case}")).json()["history"]
                    assert [h["step"] for h in history] == WHOLE_CASE, (case, history)
                # Not one copy refused as a step the case was past: none reached the case twice.
                assert await queue_depth(seeded.amqp_url, errors_queue(partner.code)) == 0
                for message_type in ("vendor.escalation.sent", "vendor.escalation.closed"):
                    await tap.wait_for(message_type, count=CASES, timeout=30)
                    assert _per_ticket(tap, message_type, tickets) == Counter(dict.fromkeys(tickets, 1))

            shares = [(await _figures(url)) - earlier for url, earlier in zip(urls, before, strict=True)]
            _report(shares, elapsed, [first, second], site)
            for share in shares:
                assert _taken(share, INBOX, (ESCALATION,)) > 0, f"a process took no escalation: {shares}"
                assert _taken(share, REPLIES_QUEUE, REPLY_TYPES) > 0, f"a process took no reply: {shares}"
            # Between them: each escalation and its re-published copy applied, each copy under a message id
            # applied already dropped by the inbox, wherever it was taken; so were the replies' copies.
            both = sum(shares, Counter())
            assert (_taken(both, INBOX, (ESCALATION,)), both[INBOX, ESCALATION, "duplicate"]) == (2 * CASES, CASES)
            replies_dropped = sum(both[REPLIES_QUEUE, t, "duplicate"] for t in REPLY_TYPES)
            assert (_taken(both, REPLIES_QUEUE, REPLY_TYPES), replies_dropped) == (2 * CASES, 2 * CASES)

            for process in (first, second):
                returncode, output = process.stop(signal.SIGTERM)
                assert returncode in (0, -signal.SIGTERM), output[-4000:]


def _escalation(site: str, partner: Partner, n: int) -> Envelope[TicketEscalationNeeded]:
    """A repair escalation as dispatch publishes it, for a ticket of the test's own."""
    ticket = f"{site}-20260301-{n:04d}"
    event = TicketEscalationNeeded(
        ticket_id=ticket,
        site_code=site,
        subsystem="av",
        vendor_code=partner.code,
        reason="repair",
        requested_at=datetime.now(UTC),
        escalation_id=f"{ticket}-V1",
        findings=f"DSP {n} reboots under load",
    )
    return seal(event, producer="dispatch", correlation_id=ticket)


def _acknowledgement(case: str) -> Contract:
    return Acknowledged(case_number=case, acknowledged_at=datetime.now(UTC))


def _repair_report(case: str) -> Contract:
    return Repaired(case_number=case, summary="DSP board replaced", parts=["DSP-MAIN"])


async def _reply_to_all(
    partner: Partner,
    vendor: httpx.AsyncClient,
    cases: Iterable[str],
    reply: Callable[[str], Contract],
    *,
    step: str,
    then: str | None = None,
) -> None:
    """The partner replies on every case, each reply delivered twice; wait until every case is where the
    step takes it (`then`, or the step's own name)."""
    for case in cases:
        await partner.reply(reply(case), step=step, copies=2)

    async def all_there() -> bool:
        there = (await vendor.get("/cases", params={"partner": partner.code, "status": then or step})).json()
        return len(there) == CASES

    await eventually(all_there, timeout=30, what=f"every case {then or step}")


async def _inbox_drained(world: World) -> None:
    async def empty() -> bool:
        return await queue_depth(world.amqp_url, INBOX) == 0

    await eventually(empty, timeout=30, what="the vendor inbox empty")


async def _no_more_requests(world: World, partner: Partner) -> bool:
    return await queue_depth(world.amqp_url, requests_queue(partner.code)) == 0


async def _figures(url: str) -> Figures:
    """What a process has taken so far, from its Prometheus metrics."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    figures: Figures = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "aftercare_messages_consumed_total":
                labels = sample.labels
                figures[labels["queue"], labels["type"], labels["outcome"]] += int(sample.value)
    return figures


def _taken(figures: Figures, queue: str, types: tuple[str, ...]) -> int:
    """Deliveries a process applied (the inbox's duplicates not counted)."""
    return sum(n for (q, t, outcome), n in figures.items() if q == queue and t in types and outcome == "processed")


def _per_ticket(tap: EventTap, message_type: str, tickets: set[str]) -> Counter[str]:
    return Counter(e["correlation_id"] for e in tap.events(message_type) if e["correlation_id"] in tickets)


def _report(shares: list[Figures], elapsed: float, processes: list[Process], site: str) -> None:
    lines = []
    for n, (share, process) in enumerate(zip(shares, processes, strict=True), start=1):
        taken = _taken(share, INBOX, (ESCALATION,))
        # A re-published copy taken after its case was opened (by either process) opens none.
        found_opened = sum(
            1 for line in process.output().splitlines() if "escalation has its case already" in line and site in line
        )
        lines.append(
            f"vendor process {n}: opened and sent {taken - found_opened} cases; escalation copies taken {taken} "
            f"({found_opened} found their case open, {share[INBOX, ESCALATION, 'duplicate']} dropped by the inbox); "
            f"replies applied {_taken(share, REPLIES_QUEUE, REPLY_TYPES)} "
            f"({sum(share[REPLIES_QUEUE, t, 'duplicate'] for t in REPLY_TYPES)} dropped by the inbox)"
        )
    lines.append(f"{CASES} cases, each escalated 3 times and each reply delivered twice, done in {elapsed:.1f}s")
    report("\n".join(lines))
