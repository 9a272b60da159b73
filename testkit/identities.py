"""People for tests: one Ed25519 key pair per test run, the world's services set to trust it, and
bearer tokens for any person and role."""

from __future__ import annotations

from datetime import timedelta

from shared.identity import Identity, Role, TokenIssuer, generate_key_pair

PRIVATE_KEY, PUBLIC_KEY = generate_key_pair()
ISSUER = TokenIssuer(PRIVATE_KEY, issuer="aftercare", audience="aftercare", lifetime=timedelta(hours=12))


def token(subject: str, *roles: Role, engineer_id: str | None = None, site_code: str | None = None) -> str:
    return ISSUER.issue(Identity(subject, subject, frozenset(roles), engineer_id=engineer_id, site_code=site_code))


def bearer(subject: str, *roles: Role, engineer_id: str | None = None, site_code: str | None = None) -> dict[str, str]:
    """Headers of a request made by this person."""
    return {"Authorization": f"Bearer {token(subject, *roles, engineer_id=engineer_id, site_code=site_code)}"}


ADMIN = bearer("admin", Role.ADMIN)
