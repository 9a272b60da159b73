"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md says the same to the
people who write receivers).

    Aftercare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is signed with the body, so a captured delivery cannot be replayed later than the
receiver's tolerance; the comparison takes constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Aftercare-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for a body sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SCHEME}={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether the header signs this body with this secret, recently enough."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or SCHEME not in parts or not parts["t"].isdigit():
        return False
    timestamp = int(parts["t"])
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},{SCHEME}={parts[SCHEME]}")
