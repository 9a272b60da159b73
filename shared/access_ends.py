"""Access that ends when it is taken away, in every service at once.

A bearer token is checked by signature alone, so it would go on opening every API for the rest of its
life (12 hours from sign-in) after its person's account was closed. Instead the console publishes
`account.changed` when an account is closed or opened again, or its roles, engineer id, site or password
change; every service keeps, in its own schema, since when each such person's older tokens are refused,
and refuses them (401 `token_revoked`): the person signs in again for a token that says what they may do
now, or cannot. Tokens stay long-lived, so a phone offline for a day still has one; ending access does
not wait for them to run out.

Why not short-lived tokens with a refresh at the console: the refusal would still wait for the token to
run out (minutes), every service call of a phone that comes back online would first need the console,
and `aftercare token`'s tokens for scripts would still live for days.

Each process reads the (small) table again at most once a second, when a request comes: a closed
account's next call is refused within a second or two of the event, however many replicas serve it."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.dialects.postgresql import insert

from shared.contracts.accounts import AccountChanged
from shared.contracts.envelope import Envelope
from shared.identity import Identity
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase
from shared.service import Subscription

REREAD_SECONDS = 1.0


def _table(metadata: MetaData) -> Table | None:
    return metadata.tables.get(f"{metadata.schema}.token_revocations")


def accounts_subscription(service: str, metadata: MetaData) -> Subscription:
    """The service's queue of `account.changed`, kept in its own `token_revocations` table."""
    table = _table(metadata)
    if table is None:
        raise ValueError(f"{service}'s schema needs the kernel's token_revocations table")
    handlers = MessageHandlers()

    @handlers.on(AccountChanged)
    async def remember(message: Envelope[AccountChanged], uow: UnitOfWork) -> None:
        changed_at = message.payload.changed_at
        statement = insert(table).values(subject=message.payload.username, not_before=changed_at)
        await uow.connection.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.subject], set_={"not_before": func.greatest(table.c.not_before, changed_at)}
            )
        )

    return Subscription(f"{service}.accounts", handlers)


class Revocations:
    """Since when each person's tokens are refused, as this service last read it."""

    def __init__(self, database: ServiceDatabase, table: Table) -> None:
        self.database = database
        self.table = table
        self.not_before: dict[str, datetime] = {}
        self.read_at = float("-inf")
        self.reading = asyncio.Lock()

    @classmethod
    def of(cls, database: ServiceDatabase, metadata: MetaData) -> Revocations | None:
        """None for a schema without the table (a scratch service in a test)."""
        table = _table(metadata)
        return None if table is None else cls(database, table)

    async def refuse(self, identity: Identity) -> bool:
        """Whether the token was issued before its person's access last changed."""
        if time.monotonic() - self.read_at > REREAD_SECONDS:
            async with self.reading:
                if time.monotonic() - self.read_at > REREAD_SECONDS:
                    async with self.database.glance() as connection:
                        rows = await connection.execute(select(self.table.c.subject, self.table.c.not_before))
                        self.not_before = {row.subject: row.not_before for row in rows}
                    self.read_at = time.monotonic()
        since = self.not_before.get(identity.subject)
        return since is not None and (identity.issued_at is None or identity.issued_at < since)
