"""Who is at the browser: a session opened by signing in with a password, carried by a cookie
(HttpOnly, SameSite=Lax, Secure), checked on every page, and a CSRF token every change must send back.

The session holds no token for the services: each page call gets a fresh five-minute one from the
person as they stand now, so a role taken away or an account closed counts at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, cast

from fastapi import Depends, Request

from services.console.db import people as people_rows
from services.console.db import sessions as session_rows
from services.console.domain.people import Person
from services.console.settings import ConsoleSettings
from shared.identity import Role
from shared.persistence.service_database import ServiceDatabase

COOKIE = "aftercare_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class WebSession:
    person: Person
    csrf_token: str

    def has(self, *roles: Role) -> bool:
        """Whether the person holds one of the roles; an administrator holds them all."""
        return Role.ADMIN in self.person.roles or bool(self.person.roles & set(roles))


class SignInNeeded(Exception):
    """No live session: the page sends the browser to sign in."""


class NotForYou(Exception):
    """A signed-in person asked for a page or a change their roles do not allow."""


class CsrfRefused(Exception):
    """A change without the session's CSRF token: not sent by our own page."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def open_session(database: ServiceDatabase, person: Person, hours: float) -> str:
    """A new session for the person; returns the cookie's value."""
    key = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with database.connect() as connection:
        await session_rows.add(
            connection, _digest(key), person.username, secrets.token_urlsafe(32), now + timedelta(hours=hours), now
        )
        await connection.commit()
    return key


async def close_session(database: ServiceDatabase, key: str) -> None:
    async with database.connect() as connection:
        await session_rows.end(connection, _digest(key), datetime.now(UTC))
        await connection.commit()


async def _signed_in(request: Request) -> WebSession:
    key = request.cookies.get(COOKIE)
    if not key:
        raise SignInNeeded
    database: ServiceDatabase = request.app.state.runtime.database
    async with database.connect() as connection:
        found = await session_rows.live(connection, _digest(key), datetime.now(UTC))
        person = await people_rows.find(connection, found[0]) if found else None
    if found is None or person is None or not person[0].active:
        raise SignInNeeded
    session = WebSession(person[0], found[1])
    request.state.web_session = session  # for the page that says why not, if one is needed
    if request.method not in ("GET", "HEAD"):
        sent = request.headers.get(CSRF_HEADER) or str((await request.form()).get(CSRF_FIELD) or "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise CsrfRefused
    return session


async def still_signed_in(request: Request) -> bool:
    """Whether the browser's session still holds (not ended, the person's account not closed)."""
    try:
        await _signed_in(request)
    except SignInNeeded:
        return False
    return True


Session = Annotated[WebSession, Depends(_signed_in)]
"""Page parameter type: the signed-in person (else the browser is sent to sign in); on a change, the
CSRF token has been checked."""


def settings_of(request: Request) -> ConsoleSettings:
    return cast(ConsoleSettings, request.app.state.runtime.settings)


def require(session: WebSession, *roles: Role) -> None:
    if not session.has(*roles):
        raise NotForYou(", ".join(sorted(roles)) or "admin")
