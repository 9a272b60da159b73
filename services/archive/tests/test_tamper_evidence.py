"""The archive's tamper evidence in its real database: documents filed for a site of their own chain up
one after another; no one, not even a superuser by ordinary means, can change or delete one (the
trigger refuses it); a superuser who goes round the trigger to change a document is caught by
`aftercare archive verify`, which names the first broken link and exits 1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from services.archive.db.tables import documents
from services.archive.domain.chain import GENESIS
from services.archive.tests.filed import deliver_and_file
from services.archive.verification import verify_chains
from shared.persistence.database import create_engine
from testkit.database import fetch_all
from testkit.samples import opened_envelope
from testkit.world import World


async def _site_with_documents(world: World, count: int) -> tuple[str, list[str]]:
    site = f"T{uuid.uuid4().hex[:6].upper()}"
    envelopes = [
        opened_envelope(f"{site}-20261125-{n:04d}", site_code=site, reported_at=datetime(2026, 11, 25, 2, tzinfo=UTC))
        for n in range(count)
    ]
    await deliver_and_file(world, *envelopes)
    rows = await fetch_all(
        world, select(documents.c.code).where(documents.c.site_code == site).order_by(documents.c.chain_position)
    )
    return site, [row.code for row in rows]


async def _execute(world: World, *statements: str, commit: bool = True) -> None:
    """Run statements in one transaction as the superuser the tests connect as; committed only if asked."""
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
            await (connection.commit() if commit else connection.rollback())
    finally:
        await engine.dispose()


async def test_a_sites_documents_chain_up_in_the_order_they_were_filed(seeded: World) -> None:
    site, codes = await _site_with_documents(seeded, 3)
    rows = await fetch_all(
        seeded,
        select(documents.c.chain_position, documents.c.previous_hash, documents.c.chain_hash)
        .where(documents.c.site_code == site)
        .order_by(documents.c.chain_position),
    )
    assert [row.chain_position for row in rows] == [1, 2, 3]
    assert [row.previous_hash for row in rows] == [GENESIS, rows[0].chain_hash, rows[1].chain_hash]
    engine = create_engine(seeded.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            told: list[tuple[str, int]] = []
            steps: list[str] = []

            def on_site(code: str, links: int) -> Callable[[], None]:  # as a progress bar is told
                told.append((code, links))
                return lambda: steps.append(code)

            [(checked, verified)] = (await verify_chains(connection, site, on_site=on_site)).items()
    finally:
        await engine.dispose()
    assert (checked, verified.links, verified.first_break) == (site, 3, None)
    assert (told, steps) == ([(site, 3)], [site] * 3)
    assert len(codes) == 3


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE archive.documents SET title = 'forged' WHERE code = '{code}'",
        "DELETE FROM archive.documents WHERE code = '{code}'",
        "TRUNCATE archive.documents",
    ],
    ids=["update", "delete", "truncate"],
)
async def test_no_one_changes_or_deletes_a_document(seeded: World, statement: str) -> None:
    _, codes = await _site_with_documents(seeded, 1)
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"):
        await _execute(seeded, statement.format(code=codes[0]), commit=False)


async def test_a_document_changed_behind_the_triggers_back_is_named_by_verify(seeded: World) -> None:
    site, codes = await _site_with_documents(seeded, 4)
    await _execute(
        seeded,
        "SET LOCAL session_replication_role = replica",  # a superuser going round the trigger
        f"UPDATE archive.documents SET content = replace(content, 'fault', 'warranty_repair') WHERE code = '{codes[2]}'",
    )
    environment = {**os.environ, **seeded.environment()}
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services", "archive", "verify", "--site", site],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert f"{site}: BROKEN at link 3 ({codes[2]} v1)" in verified.stderr
    assert "JSON does not match" in verified.stderr
