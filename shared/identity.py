"""Who is calling: every API request carries a bearer token (a JWT) that names a person and their roles.

The suite's own tokens are signed with an Ed25519 key (EdDSA) by whoever holds the private key (the
console, `aftercare token`); every service verifies them with the public key alone, so no service can
mint one. An external OpenID Connect issuer can be configured instead: its tokens are verified against
the keys it publishes (JWKS), with the roles read from a claim of its choosing.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.contracts.bounds import MAX_NAME

CLOCK_SKEW = timedelta(minutes=2)
"""How far apart the clocks that stamp and check a token may be (the console's database, a service)."""

ALGORITHM = "EdDSA"
MAX_SUBJECT = 255


class Role(StrEnum):
    OPERATOR = "operator"  # the hotline: takes calls, opens tickets
    MANAGER = "manager"  # the service manager: steers dispatch, runs the contract, signs for the integrator
    ENGINEER = "engineer"  # works tickets assigned to them (bound to an engineer id)
    QUALITY = "quality"  # the quality desk: complaints, follow-ups
    CUSTOMER = "customer"  # the customer's representative (bound to a site)
    ADMIN = "admin"  # users, sites, contracts, policies, partners; may do anything


@dataclass(frozen=True)
class Identity:
    subject: str
    name: str
    roles: frozenset[Role]
    engineer_id: str | None = None
    site_code: str | None = None  # a customer's site
    issued_at: datetime | None = None  # when its token was issued (shared/access_ends.py refuses older ones)

    @property
    def actor(self) -> str:
        """How history rows and events name this person: within a contract's bound for names, where
        a subject of OpenID Connect's full 255 characters stands alone."""
        named = self.name if self.name == self.subject else f"{self.name} ({self.subject})"
        return named if len(named) <= MAX_NAME else self.subject

    @property
    def customer_only(self) -> bool:
        """A customer's representative and nothing more: sees only its own site."""
        return Role.CUSTOMER in self.roles and not self.roles & (set(Role) - {Role.CUSTOMER})

    def may(self, roles: frozenset[Role]) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles & roles)

    def sees(self, site_code: str) -> bool:
        return not self.customer_only or site_code == self.site_code


class TokenRefused(Exception):
    """A token that proves nothing: the message says why, without echoing the token."""


class IssuerUnreachable(Exception):
    """The OpenID Connect issuer's keys cannot be fetched: no token can be checked until they can."""


def claims_of(identity: Identity) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": identity.subject, "name": identity.name, "roles": sorted(identity.roles)}
    if identity.engineer_id is not None:
        claims["engineer_id"] = identity.engineer_id
    if identity.site_code is not None:
        claims["site_code"] = identity.site_code
    return claims


def identity_of(claims: dict[str, Any], roles_claim: str = "roles") -> Identity:
    raw_roles = claims.get(roles_claim) or []
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    known = {role.value for role in Role}
    subject = str(claims.get("sub") or "")
    if not subject:
        raise TokenRefused("the token names no subject (sub)")
    if len(subject) > MAX_SUBJECT:  # OpenID Connect Core 1.0, section 2
        raise TokenRefused(f"the token's subject (sub) is longer than {MAX_SUBJECT} characters")
    return Identity(
        subject=subject,
        name=str(claims.get("name") or claims.get("preferred_username") or subject),
        roles=frozenset(Role(role) for role in raw_roles if role in known),
        engineer_id=claims.get("engineer_id"),
        site_code=claims.get("site_code"),
        issued_at=_moment(claims.get("iat")),
    )


def _moment(numeric_date: object) -> datetime | None:
    """A JWT NumericDate (seconds since the epoch, a fraction allowed) as a moment."""
    if isinstance(numeric_date, bool) or not isinstance(numeric_date, int | float):
        return None
    try:
        return datetime.fromtimestamp(numeric_date, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class TokenIssuer:
    """Signs the suite's own tokens; only the holder of the private key can."""

    def __init__(self, private_key: str, *, issuer: str, audience: str, lifetime: timedelta) -> None:
        self._key = serialization.load_pem_private_key(as_pem(private_key, "PRIVATE KEY").encode(), password=None)
        self._issuer, self._audience, self._lifetime = issuer, audience, lifetime

    def issue(self, identity: Identity, *, now: datetime | None = None) -> str:
        issued = now or datetime.now(UTC)
        claims = {
            **claims_of(identity),
            "iss": self._issuer,
            "aud": self._audience,
            # To the microsecond (RFC 7519 allows a fraction): a token issued just after an account
            # changed must not count as issued before it (shared/access_ends.py).
            "iat": issued.timestamp(),
            "exp": issued + self._lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)  # type: ignore[arg-type]


class TokenVerifier:
    """Checks a token's signature, issuer, audience and expiry, and reads who it names."""

    def __init__(
        self,
        *,
        public_key: str | None,
        jwks_url: str | None,
        issuer: str,
        audience: str,
        roles_claim: str = "roles",
    ) -> None:
        if bool(public_key) == bool(jwks_url):
            raise ValueError(
                "set exactly one of AFTERCARE_AUTH_PUBLIC_KEY (the suite's own tokens) and "
                "AFTERCARE_AUTH_JWKS_URL (an OpenID Connect issuer); `aftercare keys` makes a key pair"
            )
        self._key = serialization.load_pem_public_key(as_pem(public_key).encode()) if public_key else None
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._issuer, self._audience, self._roles_claim = issuer, audience, roles_claim

    @property
    def fetches_keys(self) -> bool:
        """Whether verifying may fetch an issuer's key set over the network (and so block)."""
        return self._jwks is not None

    def verify(self, token: str) -> Identity:
        try:
            if self._jwks is not None:
                signing = self._jwks.get_signing_key_from_jwt(token)
                key, algorithms = signing.key, [signing.algorithm_name]
            else:
                key, algorithms = self._key, [ALGORITHM]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self._issuer,
                audience=self._audience,
                # The console stamps `iat` by the database's clock (the moment account changes are ordered
                # by, shared/access_ends.py): a process whose clock is a second behind the database's
                # refused every fresh token as issued in the future. Clocks apart by up to CLOCK_SKEW are
                # taken; a token issued further ahead, which no revocation could reach, is not.
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise IssuerUnreachable(f"the identity provider's keys cannot be fetched ({error})") from error
        except jwt.ExpiredSignatureError as error:
            raise TokenRefused("the token has expired; sign in again") from error
        except jwt.InvalidIssuerError as error:
            raise TokenRefused(f"the token was not issued by {self._issuer}") from error
        except jwt.InvalidAudienceError as error:
            raise TokenRefused(f"the token is not meant for {self._audience}") from error
        except (jwt.PyJWTError, ValueError) as error:
            raise TokenRefused(f"the token cannot be verified ({type(error).__name__})") from error
        return identity_of(claims, self._roles_claim)


def generate_key_pair() -> tuple[str, str]:
    """A new Ed25519 key pair: the private key as PEM, and the public key on one line (base64 DER),
    which fits an environment variable."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, base64.b64encode(public_der).decode()


def as_pem(key: str, kind: str = "PUBLIC KEY") -> str:
    """A key given as PEM or as one line of base64 DER (which fits an environment variable), as PEM."""
    if key.lstrip().startswith("-----BEGIN"):
        return key
    return f"-----BEGIN {kind}-----\n{key.strip()}\n-----END {kind}-----\n"


def one_line(pem: str) -> str:
    """A PEM key as one line of base64 DER, for an environment variable."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
