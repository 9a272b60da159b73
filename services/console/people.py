"""Signing people in and keeping them: a password proves a person, and the console signs a token that
names them and their roles, which every service verifies with the public key."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db import people as people_rows
from services.console.domain.people import Person, PersonRefused, checked, needs_new_hash, password_hash, proves

WRONG = "the user name or the password is wrong"  # the same words whichever it was


async def sign_in(connection: AsyncConnection, username: str, password: str) -> Person:
    found = await people_rows.find(connection, username)
    if found is None:
        password_hash("x" * 12)  # as slow as a real check, so the answer's time says nothing
        raise PersonRefused("wrong_credentials", WRONG)
    person, stored = found
    if not proves(password, stored):
        raise PersonRefused("wrong_credentials", WRONG)
    if not person.active:
        raise PersonRefused("inactive", f"{username} may no longer sign in; ask an administrator")
    if needs_new_hash(stored):
        await people_rows.new_hash(connection, username, password_hash(password))
    return person


async def keep(connection: AsyncConnection, person: Person, password: str) -> bool:
    """Add or change a person with their password; True if they are new."""
    return await people_rows.keep(connection, checked(person), password_hash(password))
