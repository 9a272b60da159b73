"""Mailbox workers for tests against a Dovecot of the test's own (testkit/dovecot.py): a `take` that only
records what it was given in a table of the test's own, in the reader's transaction, and the worker's
readers paced for a test (reconnects and retries in fractions of a second)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import TIMESTAMP, BigInteger, Boolean, Column, LargeBinary, MetaData, Table, Text, insert, select, text

import services
from services.intake.mail.mailbox import MailboxWorker
from services.intake.mail.mailbox_contract import MailboxPosition, RawMail
from services.intake.mail.mailbox_reader import Pace, message_id_of
from services.intake.mail.mailbox_settings import MailboxSettings
from services.intake.settings import IntakeSettings
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from shared.service import database_of
from testkit.dovecot import Dovecot
from testkit.world import World

QUICK = Pace(reconnect=(0.2, 0.5, 1.0), retry=(0.3, 0.6), reidle_seconds=60.0)
Hook = Callable[[RawMail, MailboxPosition], Awaitable[None]]


@dataclass
class Takings:
    """What the test's `take` recorded, committed, in its own table; `before` runs inside each take
    (to fail it, or to look at the server while the transaction is open)."""

    world: World
    table: Table
    before: list[Hook] = field(default_factory=list)
    calls: int = 0

    async def take(self, uow: UnitOfWork, raw: RawMail, position: MailboxPosition) -> None:
        self.calls += 1
        for hook in self.before:
            await hook(raw, position)
        row = {
            "mailbox": position.mailbox, "folder": position.folder, "uidvalidity": position.uidvalidity,
            "uid": position.uid, "message_id": message_id_of(raw.data), "size": raw.size, "complete": raw.complete,
            "data": raw.data, "arrived_at": raw.arrived_at,
        }  # fmt: skip
        await uow.connection.execute(insert(self.table).values(row))

    async def rows(self) -> list[Any]:
        engine = create_engine(self.world.database_url, pool_size=1)
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(select(self.table).order_by(self.table.c.uid))).all())
        finally:
            await engine.dispose()


@asynccontextmanager
async def takings(world: World) -> AsyncIterator[Takings]:
    schema = f"mailtest_{uuid.uuid4().hex[:8]}"
    table = Table(
        "taken", MetaData(schema=schema),
        Column("mailbox", Text), Column("folder", Text), Column("uidvalidity", BigInteger), Column("uid", BigInteger),
        Column("message_id", Text), Column("size", BigInteger), Column("complete", Boolean),
        Column("data", LargeBinary), Column("arrived_at", TIMESTAMP(timezone=True)),
    )  # fmt: skip
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            await connection.run_sync(table.metadata.create_all)
        yield Takings(world, table)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


def mailbox_of(server: Dovecot, **overrides: Any) -> MailboxSettings:
    values: dict[str, Any] = {
        "name": f"box{uuid.uuid4().hex[:8]}", "host": "127.0.0.1", "port": server.port, "security": "none",
        "username": server.username, "password": server.password, "ca_file": server.ca_file, "poll_seconds": 1.0,
        "timeout_seconds": 10.0,
    }  # fmt: skip
    return MailboxSettings(**(values | overrides))


@asynccontextmanager
async def running(
    world: World, taken: Takings, *mailboxes: MailboxSettings, pace: Pace = QUICK, **settings: Any
) -> AsyncIterator[MailboxWorker]:
    """A started mailbox worker of its own (its own engine: its own connections, as another process's)."""
    values = {"mailboxes": list(mailboxes), "mailbox_takeover_seconds": 0.2, **settings}
    intake_settings = world.settings("intake", **values)
    assert isinstance(intake_settings, IntakeSettings)
    engine = create_engine(world.database_url, pool_size=3)
    database: ServiceDatabase = database_of(services.definition("intake"), engine)
    worker = MailboxWorker(database, intake_settings, taken.take, pace)
    worker.start()
    try:
        yield worker
    finally:
        async with asyncio.timeout(30):
            await worker.stop()
        await engine.dispose()
