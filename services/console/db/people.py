"""The console's people, in its own schema."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import people
from services.console.domain.people import Person
from shared.identity import Role


async def find(
    connection: AsyncConnection, username: str, *, share: bool = False, to_change: bool = False
) -> tuple[Person, str] | None:
    """The person and their password hash; with `share`, their row stays as read until the transaction
    ends (a change of it waits); with `to_change`, it is locked for this transaction's change."""
    query = select(people).where(people.c.username == username)
    if share or to_change:
        query = query.with_for_update(read=share and not to_change)
    row = (await connection.execute(query)).first()
    return (_person(row), row.password_hash) if row else None


async def everyone(connection: AsyncConnection) -> list[Person]:
    return [_person(row) for row in await connection.execute(select(people).order_by(people.c.username))]


async def keep(connection: AsyncConnection, person: Person, password_hash: str) -> bool:
    """Add the person, or change them (password included); True if they are new."""
    values = {
        "username": person.username,
        "name": person.name,
        "password_hash": password_hash,
        "roles": sorted(role.value for role in person.roles),
        "engineer_id": person.engineer_id,
        "site_code": person.site_code,
        "active": person.active,
    }
    statement = (
        insert(people)
        .values(**values)
        .on_conflict_do_update(index_elements=[people.c.username], set_={**values, "updated_at": func.now()})
        .returning(people.c.created_at == people.c.updated_at)
    )
    return bool((await connection.execute(statement)).scalar_one())


async def new_hash(connection: AsyncConnection, username: str, password_hash: str) -> None:
    await connection.execute(
        update(people).where(people.c.username == username).values(password_hash=password_hash, updated_at=func.now())
    )


def _person(row: object) -> Person:
    return Person(
        username=row.username,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        roles=frozenset(Role(role) for role in row.roles),  # type: ignore[attr-defined]
        engineer_id=row.engineer_id,  # type: ignore[attr-defined]
        site_code=row.site_code,  # type: ignore[attr-defined]
        active=row.active,  # type: ignore[attr-defined]
    )
