"""Tokens from an OpenID Connect issuer instead of the suite's own: verified against the keys the issuer
publishes (a JWKS served over HTTP here), roles read from the issuer's own claim, and an issuer that
cannot be reached named as such, not taken for a bad token."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import cast

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from shared.identity import (
    Identity,
    IssuerUnreachable,
    Role,
    TokenIssuer,
    TokenRefused,
    TokenVerifier,
    as_pem,
    generate_key_pair,
    identity_of,
)
from testkit.processes import free_port

ISSUER = "https://sso.integrator.example/realms/aftercare"
PRIVATE, PUBLIC = generate_key_pair()
PUBLIC_KEY = cast(Ed25519PublicKey, serialization.load_pem_public_key(as_pem(PUBLIC).encode()))
JWK = {**json.loads(OKPAlgorithm.to_jwk(PUBLIC_KEY)), "kid": "k1"}


@pytest.fixture
def jwks_url() -> Iterator[str]:
    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"keys": [JWK]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/protocol/openid-connect/certs"
    finally:
        server.shutdown()
        server.server_close()


def _token(**claims: object) -> str:
    now = datetime.now(UTC)
    body = {"iss": ISSUER, "aud": "aftercare", "sub": "liu.yang", "exp": now + timedelta(minutes=5), **claims}
    key = serialization.load_pem_private_key(PRIVATE.encode(), password=None)
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": "k1"})  # type: ignore[arg-type]


def _verifier(url: str) -> TokenVerifier:
    return TokenVerifier(public_key=None, jwks_url=url, issuer=ISSUER, audience="aftercare", roles_claim="groups")


def test_an_issuers_token_is_verified_with_its_published_keys(jwks_url: str) -> None:
    identity = _verifier(jwks_url).verify(_token(groups=["manager", "not-ours"], preferred_username="Liu Yang"))
    assert (identity.subject, identity.name, identity.roles) == ("liu.yang", "Liu Yang", frozenset({Role.MANAGER}))
    with pytest.raises(TokenRefused, match="not issued by"):
        _verifier(jwks_url).verify(_token(iss="https://elsewhere.example", groups=["admin"]))


def test_an_issuer_that_cannot_be_reached_is_named_not_taken_for_a_bad_token() -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/protocol/openid-connect/certs"  # nobody listens there
    with pytest.raises(IssuerUnreachable, match="keys cannot be fetched"):
        _verifier(unreachable).verify(_token(groups=["manager"]))


def test_a_subject_past_openid_connects_limit_is_refused_and_a_long_name_gives_way_to_the_subject() -> None:
    with pytest.raises(TokenRefused, match="longer than 255"):
        identity_of({"sub": "s" * 256, "roles": ["engineer"]})
    identity = identity_of({"sub": "s" * 255, "name": "N" * 100, "roles": ["engineer"]})
    assert identity.actor == "s" * 255  # within a contract's bound for names
    assert identity_of({"sub": "e01", "name": "Wang Wei"}).actor == "Wang Wei (e01)"


def test_a_token_stamped_by_a_clock_ahead_of_the_verifiers_is_taken() -> None:
    """The console stamps a sign-in token by the database's clock (services/console/people.py); a service
    whose own clock is behind the database's must still take the token it has just been handed."""
    issuer = TokenIssuer(PRIVATE, issuer="aftercare", audience="aftercare", lifetime=timedelta(hours=12))
    verifier = TokenVerifier(public_key=PUBLIC, jwks_url=None, issuer="aftercare", audience="aftercare")
    ahead = datetime.now(UTC) + timedelta(minutes=1)
    identity = verifier.verify(issuer.issue(Identity("liu.yang", "Liu Yang", frozenset({Role.MANAGER})), now=ahead))
    assert (identity.subject, identity.issued_at) == ("liu.yang", ahead)  # kept to order it against changes
    with pytest.raises(TokenRefused, match="expired"):  # the expiry still bounds it
        verifier.verify(issuer.issue(identity, now=datetime.now(UTC) - timedelta(hours=13)))
    with pytest.raises(TokenRefused):  # issued further ahead than clocks drift: no revocation would reach it
        verifier.verify(issuer.issue(identity, now=datetime.now(UTC) + timedelta(hours=1)))
