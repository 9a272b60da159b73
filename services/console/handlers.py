"""The console's HTTP API so far: signing in for a token, who the token names, and the people an
administrator keeps."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from services.console import people
from services.console.db import people as people_rows
from services.console.domain.people import Person, PersonRefused
from services.console.settings import ConsoleSettings
from services.console.tokens import NoSigningKey, sign_in_token
from shared.http import Caller, Database, Problem, client_address
from shared.identity import Role
from shared.problems import documented

router = APIRouter(tags=["console"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SignIn(BaseModel):
    username: Text
    password: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class PersonTerms(BaseModel):
    name: Text
    roles: list[Role] = Field(min_length=1)
    engineer_id: Text | None = None
    site_code: Text | None = None
    active: bool = True
    password: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="At least 12 characters; kept only as an Argon2id hash."
    )


async def _settings(request: Request) -> ConsoleSettings:
    return cast(ConsoleSettings, request.app.state.runtime.settings)


@router.post("/token", responses={429: documented("Too many wrong passwords from this name or address: wait.")})
async def sign_in(
    terms: SignIn, request: Request, database: Database, settings: Annotated[ConsoleSettings, Depends(_settings)]
) -> dict[str, Any]:
    """Sign in with a user name and password: a bearer token every service accepts. A wrong password and
    an unknown name get the same 401; a name or client address that guessed wrong too often is answered
    429 with `Retry-After` (the wait grows with each further wrong password)."""
    try:
        person, issued_at = await people.signed_in(
            database, terms.username, terms.password, address=client_address(request), by_address=settings.by_address
        )
    except people.TooManyAttempts as waiting:
        raise Problem(
            429, waiting.reason, waiting.message, headers={"Retry-After": str(waiting.retry_after)}, **waiting.detail
        ) from waiting
    except PersonRefused as refused:
        raise Problem(401, refused.reason, refused.message) from refused
    try:
        token = sign_in_token(settings, person.identity(), issued_at)
    except NoSigningKey as missing:
        raise Problem(503, "no_signing_key", str(missing)) from missing
    return {"access_token": token, "token_type": "bearer", "roles": sorted(person.roles)}


@router.get("/me")
async def who_am_i(caller: Caller) -> dict[str, Any]:
    """Who the token names."""
    return {
        "username": caller.subject,
        "name": caller.name,
        "roles": sorted(caller.roles),
        "engineer_id": caller.engineer_id,
        "site_code": caller.site_code,
    }


@router.get("/people")
async def list_people(database: Database) -> list[dict[str, Any]]:
    """Everyone who may sign in (never their passwords)."""
    async with database.connect() as connection:
        return [_public(person) for person in await people_rows.everyone(connection)]


@router.put("/people/{username}", responses={201: {"description": "Added: nobody had this user name before"}})
async def put_person(username: str, terms: PersonTerms, database: Database, response: Response) -> dict[str, Any]:
    """Add a person, or change one (their password too)."""
    person = Person(username, terms.name, frozenset(terms.roles), terms.engineer_id, terms.site_code, terms.active)
    try:
        async with database.unit_of_work() as uow:
            created = await people.keep(uow, person, terms.password)
    except PersonRefused as refused:
        raise Problem(422, refused.reason, refused.message) from refused
    response.status_code = 201 if created else 200
    return _public(person)


def _public(person: Person) -> dict[str, Any]:
    return {
        "username": person.username,
        "name": person.name,
        "roles": sorted(person.roles),
        "engineer_id": person.engineer_id,
        "site_code": person.site_code,
        "active": person.active,
    }
