"""A database from before the notify service (issue 25), with dispatch's `contacts` and `notifications`
filled: after every service is migrated, each row is in notify's schema (ids, tries and the unique key
that tells each person once included), dispatch's tables are gone, and nothing depends on the order the
two services are migrated in; where each schema belongs to its own role, provisioning hands the tables
over, and without it notify's migration stops rather than leave rows behind."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

import services
from shared.persistence import migrations
from shared.persistence.database import asyncpg_dsn, drop_database, ensure_database
from shared.provisioning import provision_database
from testkit.accounts import deployment_accounts, removed_afterwards
from testkit.machine import POSTGRES_URL
from testkit.world import World

BEFORE_NOTIFY = "0012"  # dispatch's last revision with the two tables
CONTACTS = [("n01.hh138", "N01", ["engineer"], "E01", "22:00-07:30"), ("ma.hh138", "Ma", ["manager"], None, None)]


@pytest.fixture
async def scratch(world: World) -> AsyncIterator[str]:
    url = f"{world.database_url}_takeover_{uuid.uuid4().hex[:6]}"
    await ensure_database(url)
    try:
        yield url
    finally:
        await drop_database(url)


def _migrate(name: str, url: str, revision: str = "head") -> None:
    migrations.upgrade(services.definition(name).migrations_dir, url, revision)


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(url))


async def _old_rows(url: str) -> None:
    """Dispatch's two tables as a release before issue 25 filled them: two people, three notifications
    (one sent, one still pending, one failed after two tries)."""
    connection = await _connect(url)
    try:
        for username, name, roles, engineer_id, quiet in CONTACTS:
            await connection.execute(
                "INSERT INTO dispatch.contacts (username, name, roles, engineer_id, quiet_hours, channels, email)"
                " VALUES ($1, $2, $3, $4, $5, '{\"assigned\": [\"email\"]}', $1 || '@example.com')",
                username, name, roles, engineer_id, quiet,
            )  # fmt: skip
        for key, username, status, attempts in (
            ("assigned:T1:E01:x", "n01.hh138", "sent", 1),
            ("sla_warning:T1:on_site:1:0.75", "ma.hh138", "pending", 0),
            ("sla_breached:T1:on_site:1", "ma.hh138", "failed", 2),
        ):
            await connection.execute(
                "INSERT INTO dispatch.notifications (notice_key, username, channel, kind, ticket_id, site_code,"
                " urgent, subject, body, status, attempts, created_at, send_after)"
                " VALUES ($1, $2, 'email', split_part($1, ':', 1), 'T1', 'HH138', false, 's', 'b', $3, $4, now(), now())",
                key, username, status, attempts,
            )  # fmt: skip
    finally:
        await connection.close()


async def _everything_in_notify(url: str) -> None:
    connection = await _connect(url)
    try:
        left = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'dispatch' AND tablename IN ('contacts', 'notifications')"
        )
        assert left == []
        people = await connection.fetch("SELECT username, engineer_id, quiet_hours FROM notify.contacts ORDER BY 1")
        assert [tuple(p) for p in people] == [("ma.hh138", None, None), ("n01.hh138", "E01", "22:00-07:30")]
        told = await connection.fetch("SELECT id, status, attempts FROM notify.notifications ORDER BY id")
        assert [(t["status"], t["attempts"]) for t in told] == [("sent", 1), ("pending", 0), ("failed", 2)]
        # the identity goes on from the moved rows, and the key still tells each person once
        added = await connection.fetchval(
            "INSERT INTO notify.notifications (notice_key, username, channel, kind, urgent, subject, body, status,"
            " created_at, send_after) VALUES ('k', 'ma.hh138', 'email', 'assigned', false, 's', 'b', 'pending',"
            " now(), now()) RETURNING id"
        )
        assert added > max(t["id"] for t in told)
        with pytest.raises(asyncpg.UniqueViolationError):
            await connection.execute(
                "INSERT INTO notify.notifications (notice_key, username, channel, kind, urgent, subject, body,"
                " status, created_at, send_after) SELECT notice_key, username, channel, kind, urgent, subject,"
                " body, status, created_at, send_after FROM notify.notifications WHERE status = 'sent'"
            )
    finally:
        await connection.close()


@pytest.mark.parametrize("order", [("dispatch", "notify"), ("notify", "dispatch")], ids=" then ".join)
async def test_every_row_moves_to_notify_whichever_service_is_migrated_first(
    scratch: str, order: tuple[str, str]
) -> None:
    await asyncio.to_thread(_migrate, "dispatch", scratch, BEFORE_NOTIFY)
    await _old_rows(scratch)
    for name in order:
        await asyncio.to_thread(_migrate, name, scratch)
    await _everything_in_notify(scratch)


async def test_empty_tables_are_dropped_by_dispatch_and_made_anew_by_notify(scratch: str) -> None:
    for name in ("dispatch", "notify"):
        await asyncio.to_thread(_migrate, name, scratch)
    connection = await _connect(scratch)
    try:
        where = await connection.fetch(
            "SELECT schemaname FROM pg_tables WHERE tablename IN ('contacts', 'notifications') ORDER BY 1"
        )
        assert [row["schemaname"] for row in where] == ["notify", "notify"]
    finally:
        await connection.close()


async def test_with_a_role_per_schema_provisioning_hands_the_tables_over(world: World) -> None:
    """Deployed, each schema is its own role's and notify's role may not move dispatch's tables: its
    migration stops, saying to provision; `aftercare provision` (run before every release's migration)
    moves them and gives them to notify's role."""
    accounts = [a for a in deployment_accounts(world, "takeover") if a.service in ("dispatch", "notify")]
    dispatch, notify = accounts
    async with removed_afterwards(accounts):
        await provision_database(POSTGRES_URL, accounts)
        await asyncio.to_thread(_migrate, "dispatch", dispatch.database_url, BEFORE_NOTIFY)
        await _old_rows(dispatch.database_url)
        await asyncio.to_thread(_migrate, "dispatch", dispatch.database_url)  # leaves the filled tables
        with pytest.raises(RuntimeError, match="run `aftercare provision`"):
            await asyncio.to_thread(_migrate, "notify", notify.database_url)
        done = await provision_database(POSTGRES_URL, accounts)
        assert any("taking over dispatch.contacts, dispatch.notifications" in line for line in done), done
        await asyncio.to_thread(_migrate, "notify", notify.database_url)
        admin_url = make_url(POSTGRES_URL).set(database=make_url(notify.database_url).database)
        await _everything_in_notify(admin_url.render_as_string(hide_password=False))
        connection = await _connect(notify.database_url)  # as notify's own role
        try:
            owners = await connection.fetch(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'notify'"
                " UNION SELECT DISTINCT sequenceowner FROM pg_sequences WHERE schemaname = 'notify'"
            )
            assert {row[0] for row in owners} == {make_url(notify.database_url).username}
            # its own role reads and writes them: the three moved, and the one the check above added
            assert await connection.fetchval("SELECT count(*) FROM notify.notifications") == 4
        finally:
            await connection.close()


async def test_a_downgrade_hands_the_rows_back_to_dispatch_and_refuses_the_order_that_would_lose_them(
    scratch: str,
) -> None:
    await asyncio.to_thread(_migrate, "dispatch", scratch, BEFORE_NOTIFY)
    await _old_rows(scratch)
    for name in ("dispatch", "notify"):
        await asyncio.to_thread(_migrate, name, scratch)
    dispatch_dir, notify_dir = (services.definition(n).migrations_dir for n in ("dispatch", "notify"))
    with pytest.raises(RuntimeError, match="downgrade notify first"):
        await asyncio.to_thread(migrations.downgrade, dispatch_dir, scratch, BEFORE_NOTIFY)
    await asyncio.to_thread(migrations.downgrade, notify_dir, scratch, "base")
    await asyncio.to_thread(migrations.downgrade, dispatch_dir, scratch, BEFORE_NOTIFY)
    connection = await _connect(scratch)
    try:
        told = await connection.fetch("SELECT status FROM dispatch.notifications ORDER BY id")
        assert [t["status"] for t in told] == ["sent", "pending", "failed"]
        assert await connection.fetchval("SELECT count(*) FROM dispatch.contacts") == len(CONTACTS)
    finally:
        await connection.close()
