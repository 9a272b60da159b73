"""Signing people in and keeping them: a password proves a person, and the console signs a token that
names them and their roles, which every service verifies with the public key."""

from __future__ import annotations

import math
from datetime import UTC, datetime

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
from services.console.domain.throttle import BY_NAME, Throttle
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
) -> Person:
    """Sign a person in (PersonRefused if not), counting a wrong password by name and by address."""
    async with database.connect() as connection:
        try:
            return await sign_in(
                connection, username, password, address=address, by_address=by_address, now=datetime.now(UTC)
            )
        finally:
            await connection.commit()


async def sign_in(
    connection: AsyncConnection, username: str, password: str, *, address: str, by_address: Throttle, now: datetime
) -> Person:
    """The person, if the password proves them. A name or address that guessed wrong too often waits
    first (domain/throttle.py), known name or not: the answers never tell which names exist."""
    keys = [BY_NAME.key(username), by_address.key(address)]
    waiting = await sign_in_failures.waiting_until(connection, keys, now)
    if waiting is not None:
        raise TooManyAttempts(max(1, math.ceil((waiting - now).total_seconds())))
    found = await people_rows.find(connection, username)
    person, stored = found if found is not None else (None, DECOY_HASH)
    if not proves(password, stored) or person is None:
        await sign_in_failures.count_failure(connection, BY_NAME, username, now)
        await sign_in_failures.count_failure(connection, by_address, address, now)
        raise PersonRefused("wrong_credentials", WRONG)
    await sign_in_failures.forget(connection, BY_NAME.key(username))
    if not person.active:
        raise PersonRefused("inactive", f"{username} may no longer sign in; ask an administrator")
    if needs_new_hash(stored):
        await people_rows.new_hash(connection, username, password_hash(password))
    return person


async def keep(uow: UnitOfWork, person: Person, password: str) -> bool:
    """Add or change a person with their password; True if they are new. A change of their access (closed,
    roles, password) is announced, and every service refuses the tokens they had (shared/access_ends.py)."""
    before = await people_rows.find(uow.connection, person.username)
    created = await people_rows.keep(uow.connection, checked(person), password_hash(acceptable(password, person)))
    if before is not None:
        earlier, earlier_hash = before
        changes = changes_between(earlier, person, same_password=proves(password, earlier_hash))
        if changes:
            changed = AccountChanged(
                username=person.username, changes=changes, active=person.active, changed_at=datetime.now(UTC)
            )
            uow.publish(changed, correlation_id=person.username)
    return created
