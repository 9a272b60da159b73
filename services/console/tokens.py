"""The tokens the console signs: one for a person who signs in through the API, and a short one for
each call the pages make to a service on a signed-in person's behalf."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from services.console.settings import ConsoleSettings
from shared.identity import Identity, TokenIssuer

PAGE_CALL_LIFETIME = timedelta(minutes=5)


class NoSigningKey(Exception):
    """The console cannot sign tokens: CONSOLE_SIGNING_KEY is not set."""


def sign_in_token(settings: ConsoleSettings, identity: Identity, issued_at: datetime) -> str:
    """A person's token, issued at the moment their sign-in read them (services/console/people.py)."""
    return _issuer(settings, timedelta(hours=settings.token_hours)).issue(identity, now=issued_at)


def page_call_token(settings: ConsoleSettings, identity: Identity) -> str:
    return _issuer(settings, PAGE_CALL_LIFETIME).issue(identity, now=datetime.now(UTC))


def _issuer(settings: ConsoleSettings, lifetime: timedelta) -> TokenIssuer:
    if not settings.signing_key:
        raise NoSigningKey("the console has no CONSOLE_SIGNING_KEY; `aftercare keys` makes one")
    return _signer(settings.signing_key, settings.auth_issuer, settings.auth_audience, lifetime)


@functools.cache
def _signer(key: str, issuer: str, audience: str, lifetime: timedelta) -> TokenIssuer:
    """One issuer per key and lifetime: the key is parsed once, not at every call."""
    return TokenIssuer(key, issuer=issuer, audience=audience, lifetime=lifetime)
