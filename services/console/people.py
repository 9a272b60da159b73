"""Signing people in and keeping them: a password proves a person, and the console signs a token that
names them and their roles, which every service verifies with the public key."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db import people as people_rows
from services.console.db import sign_in_failures
from services.console.domain.people import (
    Person,
    PersonRefused,
    acceptable,
    changes_between,
    checked,
    needs_new_hash,
    password_hash,
    proves,
)
from services.console.domain.throttle import Throttle, counted
from shared.contracts.accounts import AccountChanged
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase

WRONG = "the user name or the password is wrong"  # the same words whichever it was
DECOY_HASH = password_hash("x" * 12)  # checked against for an unknown name, as slow as a real check


class TooManyAttempts(PersonRefused):
    """Wrong passwords came too fast from this name or address: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "too_many_attempts", f"too many wrong passwords: try again in {retry_after} s", retry_after=retry_after
        )
        self.retry_after = retry_after


async def signed_in(
    database: ServiceDatabase, username: str, password: str, *, address: str, by_address: Throttle
) -> tuple[Person, datetime]:
    """Sign a person in (PersonRefused if not): the person, and the moment their token is issued at."""
    async with database.connect() as connection:
        try:
            return await sign_in(connection, username, password, address=address, by_address=by_address)
        finally:
            await connection.commit()
            await sign_in_failures.delete_forgotten(connection)  # after, holding nothing: no deadlock with others
            await connection.commit()


async def sign_in(
    connection: AsyncConnection, username: str, password: str, *, address: str, by_address: Throttle
) -> tuple[Person, datetime]:
    """The person, if the password proves them, and the moment their token is issued at. A name or address
    that guessed wrong too often waits first (domain/throttle.py), known name or not: the answers never
    tell which names exist.

    The person's row is read under a share lock and the moment taken from the database's clock after it:
    a change of their access (`keep`) waits for this sign-in to end and is stamped later, so a token
    issued with the old roles is always issued before the change, and refused (shared/access_ends.py)."""
    now = await _database_now(connection)
    counts = counted(username, address, by_address)
    waiting = await sign_in_failures.reserve(connection, [throttle.key(value) for throttle, value in counts], now)
    if waiting is not None:
        raise TooManyAttempts(max(1, math.ceil((waiting - now).total_seconds())))
    found = await people_rows.find(connection, username, share=True)
    person, stored = found if found is not None else (None, DECOY_HASH)
    if not proves(password, stored) or person is None:
        for throttle, value in counts:
            await sign_in_failures.count_failure(connection, throttle, value, now)
        raise PersonRefused("wrong_credentials", WRONG)
    # The name's counts are cleared; the address's stay (one right password must not excuse its guesses).
    await sign_in_failures.forget(connection, [t.key(value) for t, value in counts if t is not by_address])
    if not person.active:
        raise PersonRefused("inactive", f"{username} may no longer sign in; ask an administrator")
    if needs_new_hash(stored):
        await people_rows.new_hash(connection, username, password_hash(password))
    return person, await _database_now(connection)


async def _database_now(connection: AsyncConnection) -> datetime:
    """The database's clock: one clock for every console process, for tokens and the changes they race."""
    moment: datetime = (await connection.execute(select(func.clock_timestamp()))).scalar_one()
    return moment


async def keep(uow: UnitOfWork, person: Person, password: str) -> bool:
    """Add or change a person with their password; True if they are new. A change of their access (closed,
    roles, password) is announced, and every service refuses the tokens they had (shared/access_ends.py)."""
    before = await people_rows.find(uow.connection, person.username)
    same_password = before is not None and proves(password, before[1])
    # A password kept as it was is not judged again: closing an account with an older password must work.
    chosen = password if same_password else acceptable(password, person)
    created = await people_rows.keep(uow.connection, checked(person), password_hash(chosen))
    if before is not None:
        await _announce(uow, before[0], person, same_password=same_password)
    return created


async def set_active(uow: UnitOfWork, username: str, *, active: bool) -> Person | None:
    """Close an account (or open it again) as it is, password and all; None for a name nobody has. Closing
    is announced as any change of access, and the person's tokens are refused everywhere at once."""
    found = await people_rows.find(uow.connection, username, to_change=True)  # a change made meanwhile waits
    if found is None:
        return None
    before, stored_hash = found
    after = replace(before, active=active)
    if after != before:
        await people_rows.keep(uow.connection, after, stored_hash)
        await _announce(uow, before, after, same_password=True)
    return after


async def _announce(uow: UnitOfWork, before: Person, after: Person, *, same_password: bool) -> None:
    changes = changes_between(before, after, same_password=same_password)
    if changes:
        # Stamped after the row is locked by the upsert: a sign-in that read the old row ended first,
        # and its token was issued before this moment (sign_in).
        changed_at = await _database_now(uow.connection)
        changed = AccountChanged(username=after.username, changes=changes, active=after.active, changed_at=changed_at)
        uow.publish(changed, correlation_id=after.username)
