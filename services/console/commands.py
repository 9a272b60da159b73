"""`aftercare users`: the people who may sign in to the console, kept from the command line."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from services.console import people
from services.console.db import people as people_rows
from services.console.db.tables import metadata
from services.console.domain.people import Person, PersonRefused
from services.console.settings import ConsoleSettings
from shared.identity import Role
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase

users = typer.Typer(help="The people who sign in to the console.", no_args_is_help=True)


@users.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The user name they sign in with, e.g. liu.yang.")],
    name: Annotated[str, typer.Option(help="The name history rows show.")],
    role: Annotated[list[Role], typer.Option(help="A role (repeat for several).")],
    engineer_id: Annotated[str | None, typer.Option(help="An engineer's id in dispatch's roster.")] = None,
    site: Annotated[str | None, typer.Option(help="The site a customer's representative belongs to.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Add a person (or change one, their password too)."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    person = Person(username, name, frozenset(role), engineer_id=engineer_id, site_code=site)
    try:
        created = asyncio.run(_keep(person, password))
    except PersonRefused as refused:
        typer.echo(f"refused: {refused.message}", err=True)
        raise typer.Exit(2) from refused
    typer.echo(f"{'added' if created else 'changed'} {username} ({', '.join(sorted(person.roles))})")


@users.command("list")
def list_people() -> None:
    """Everyone who may sign in, with their roles."""
    for person in asyncio.run(_everyone()):
        bound = person.engineer_id or person.site_code or ""
        typer.echo(f"{person.username:<20} {','.join(sorted(person.roles)):<12} {bound:<8} {person.name}")


async def _keep(person: Person, password: str) -> bool:
    database = _database()
    try:
        async with database.unit_of_work() as uow:
            created = await people.keep(uow, person, password)
        return created
    finally:
        await database.engine.dispose()


async def _everyone() -> list[Person]:
    database = _database()
    try:
        async with database.connect() as connection:
            return await people_rows.everyone(connection)
    finally:
        await database.engine.dispose()


def _database() -> ServiceDatabase:
    return ServiceDatabase(create_engine(ConsoleSettings().database_url, pool_size=1), metadata, producer="console")
