"""Numbering and chaining under concurrency, in the real database: drafts of one site held by many
transactions at once (copies of some facts among them) while three sequencers, as three archive processes
would, and a register filed at a person's request take the site's numbers and chain. Every fact is filed
once; each year and category is numbered with no gap and no repeat; the chain is whole; each document is
announced once, caused by the message it was drafted from, and kept in the timeline as announced."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.archive.db import filings
from services.archive.db.tables import documents, metadata, outbox, pending_filings, timeline
from services.archive.domain.documents import Category, Draft
from services.archive.domain.records import service_request_record
from services.archive.domain.story import Site
from services.archive.filing import file_document
from services.archive.rendering import renderer_for
from services.archive.sequencing import sequence_waiting
from services.archive.settings import ArchiveSettings
from services.archive.verification import verify_chains
from shared.contracts import DocumentArchived
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.database import fetch_all
from testkit.samples import ticket_opened
from testkit.world import World

DRAFTS = 240
HOLDERS = 8  # transactions holding drafts at once
SEQUENCERS = 3


def _record(site: str, n: int) -> Draft:
    opened = ticket_opened(f"{site}-20261207-{n:04d}", site_code=site, reported_at=datetime(2026, 12, 7, 2, tzinfo=UTC))
    return service_request_record(opened, Site(site, "Sequencing plaza", "Asia/Shanghai"))


def _register(site: str) -> Draft:
    record = _record(site, 9999)
    return Draft(
        category=Category.REGISTER, title="A register", site_code=site, site_name=record.site_name,
        timezone=record.timezone, year=2026, ticket_id=None, source="register:test", form=record.form,
        content=record.content,
    )  # fmt: skip


async def test_drafts_held_at_once_are_numbered_and_chained_once_each_with_no_gap(seeded: World) -> None:
    site = f"Q{uuid.uuid4().hex[:6].upper()}"
    engines = [create_engine(seeded.database_url, pool_size=HOLDERS) for _ in range(SEQUENCERS)]
    databases = [ServiceDatabase(engine, metadata, producer="archive") for engine in engines]
    causes = {n: uuid.uuid4() for n in range(DRAFTS)}
    holders = asyncio.Semaphore(HOLDERS)
    holding = True

    async def hold(n: int, *, copy: bool = False) -> None:
        """Hold the n-th fact's draft, or a copy of it drafted from another message (while the first is
        held, or waits, or is filed already: each copy comes at its own moment)."""
        if copy:
            await asyncio.sleep(n / DRAFTS)
        async with holders, databases[n % SEQUENCERS].engine.begin() as connection:
            draft = _record(site, n)
            await filings.hold(connection, draft, cause_id=uuid.uuid4() if copy else causes[n],
                               correlation_id=draft.ticket_id or site, at=datetime.now(UTC))  # fmt: skip

    async def sequence(database: ServiceDatabase) -> int:
        taken = 0
        while True:
            got, _ = await sequence_waiting(database, 50)  # 0 too while another holds the site's chain
            taken += got
            if not got and not holding:  # the holder of the chain goes on until nothing waits
                return taken
            await asyncio.sleep(0.005)

    async def register() -> str | None:
        await asyncio.sleep(0.05)  # while drafts are being held and sequenced
        async with databases[0].unit_of_work() as uow:
            renderer = renderer_for(tuple(ArchiveSettings().font_paths))
            return await file_document(uow, _register(site), renderer, now=datetime.now(UTC))

    try:
        sequencers = [asyncio.create_task(sequence(database)) for database in databases]
        filed_register = asyncio.create_task(register())
        copies = [hold(n, copy=True) for n in range(0, DRAFTS, 10)]
        await asyncio.gather(*(hold(n) for n in range(DRAFTS)), *copies)
        holding = False
        taken = await asyncio.gather(*sequencers)
        register_code = await filed_register
        async with databases[0].connect() as connection:
            verified = await verify_chains(connection, site)
    finally:
        for engine in engines:
            await engine.dispose()

    print(f"\n{DRAFTS} drafts (+{DRAFTS // 10} copies) sequenced by {SEQUENCERS} sequencers: {taken} each")
    assert DRAFTS <= sum(taken) <= DRAFTS + DRAFTS // 10  # a copy held after its fact was filed is dropped
    filed = await fetch_all(
        seeded,
        select(documents.c.code, documents.c.category, documents.c.ticket_id, documents.c.chain_position)
        .where(documents.c.site_code == site)
        .order_by(documents.c.chain_position),
    )
    assert [row.chain_position for row in filed] == list(range(1, DRAFTS + 2))
    records = [row for row in filed if row.category == "REC"]
    assert sorted(int(row.code.rsplit("-", 1)[1]) for row in records) == list(range(1, DRAFTS + 1))
    assert len({row.ticket_id for row in records}) == DRAFTS
    assert register_code == f"{site}-2026-REG-000001"
    assert (verified[site].links, verified[site].first_break) == (DRAFTS + 1, None)
    [(waiting,)] = await fetch_all(seeded, select(func.count()).where(pending_filings.c.site_code == site))
    assert waiting == 0

    announced = {
        row.message_id: row.body
        for row in await fetch_all(
            seeded, select(outbox.c.message_id, outbox.c.body).where(outbox.c.message_type == "document.archived")
        )
        if f'"site_code":"{site}"' in row.body
    }
    assert len(announced) == DRAFTS + 1
    kept = await fetch_all(
        seeded,
        select(timeline.c.message_id, timeline.c.causation_id, timeline.c.payload).where(
            timeline.c.site_code == site, timeline.c.type == DocumentArchived.message_type
        ),
    )
    assert {row.message_id for row in kept} == set(announced)
    by_ticket = {row.payload["ticket_id"]: row.causation_id for row in kept if row.payload["ticket_id"]}
    assert by_ticket == {f"{site}-20261207-{n:04d}": causes[n] for n in range(DRAFTS)}
