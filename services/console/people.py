"""Signing people in and keeping them: a password proves a person, and the console signs a token that
names them and their roles, which every service verifies with the public key."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db import people as people_rows
from services.console.domain.people import (
    Person,
    PersonRefused,
    after_wrong_password,
    checked,
    needs_new_hash,
    password_hash,
    proves,
)
from shared.persistence.service_database import ServiceDatabase

WRONG = "the user name or the password is wrong"  # the same words whichever it was


async def signed_in(database: ServiceDatabase, username: str, password: str) -> Person:
    """Sign a person in (PersonRefused if not), keeping the count of wrong passwords either way."""
    async with database.connect() as connection:
        try:
            return await sign_in(connection, username, password, now=datetime.now(UTC))
        finally:
            await connection.commit()


async def sign_in(connection: AsyncConnection, username: str, password: str, *, now: datetime) -> Person:
    """The person, if the password proves them. Five wrong passwords in a row make the account refuse
    every password for 15 minutes."""
    found = await people_rows.find(connection, username)
    if found is None:
        password_hash("x" * 12)  # as slow as a real check, so the answer's time says nothing
        raise PersonRefused("wrong_credentials", WRONG)
    person, stored = found
    failed, locked_until = await people_rows.lock_state(connection, username)
    if locked_until is not None and locked_until > now:
        raise PersonRefused(
            "locked", f"too many wrong passwords: try again after {locked_until:%H:%M} UTC, or ask an administrator"
        )
    if not proves(password, stored):
        failed, locked_until = after_wrong_password(failed, now)
        await people_rows.record_sign_in(connection, username, failed=failed, locked_until=locked_until)
        raise PersonRefused("wrong_credentials", WRONG)
    if failed or locked_until is not None:
        await people_rows.record_sign_in(connection, username, failed=0, locked_until=None)
    if not person.active:
        raise PersonRefused("inactive", f"{username} may no longer sign in; ask an administrator")
    if needs_new_hash(stored):
        await people_rows.new_hash(connection, username, password_hash(password))
    return person


async def keep(connection: AsyncConnection, person: Person, password: str) -> bool:
    """Add or change a person with their password; True if they are new."""
    return await people_rows.keep(connection, checked(person), password_hash(password))
