"""Signing a register: the integrator's signer and the customer's each sign one given version (name,
role, time, and the handwritten signature if one was drawn). Once both have signed the latest
version, the register is locked: a sealed version is filed whose content holds the signed version's
PDF hash and both signatures, so its own hash (and its link in the site's chain) covers them all.
Nothing of a locked register changes again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.refusals import Refused


class Party(StrEnum):
    INTEGRATOR = "integrator"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Signature:
    party: Party
    name: str
    role: str
    signed_at: datetime
    signature_png: str | None = None  # base64
    signed_by: str | None = None  # the signed-in person who signed (their user name)

    def as_content(self, local_time: str) -> dict[str, Any]:
        return {
            "party": self.party.value,
            "name": self.name,
            "role": self.role,
            "signed_at": local_time,
            "signed_by": self.signed_by,
            "signature_png": self.signature_png,
        }


@dataclass(frozen=True)
class RegisterState:
    code: str
    latest_version: int
    locked_version: int | None
    signatures: tuple[Signature, ...]  # of the latest version

    @property
    def locked(self) -> bool:
        return self.locked_version is not None


class RegisterRefused(Refused):
    """A register change the signing rules refuse."""


CONFLICTS = ("register_locked", "superseded_version", "already_signed", "period_open", "same_signer")
"""Reasons the request was right but comes too late or twice: answered 409."""


def refuse_if_locked(state: RegisterState) -> None:
    if state.locked:
        raise RegisterRefused(
            "register_locked",
            f"register {state.code} was signed by both parties and locked as version {state.locked_version}; "
            "it cannot be drawn up or signed again",
        )


def check_signature(state: RegisterState, version: int, party: Party) -> None:
    """Whether `party` may sign `version` of the register now."""
    refuse_if_locked(state)
    if version > state.latest_version or version < 1:
        raise RegisterRefused("unknown_version", f"register {state.code} has versions 1 to {state.latest_version}")
    if version < state.latest_version:
        raise RegisterRefused(
            "superseded_version",
            f"version {version} of register {state.code} is superseded by version {state.latest_version}; "
            f"read and sign version {state.latest_version}",
        )
    signed = next((s for s in state.signatures if s.party is party), None)
    if signed is not None:
        raise RegisterRefused(
            "already_signed",
            f"the {party.value} has signed version {version} of register {state.code} already "
            f"({signed.name}, {signed.signed_at.isoformat()})",
        )


def completes(state: RegisterState, party: Party) -> bool:
    """Whether this signature is the second party's, which locks the register."""
    return {s.party for s in state.signatures} | {party} == set(Party)


def sealed(
    content: dict[str, Any], *, version: int, pdf_sha256: str, signatures: list[dict[str, Any]]
) -> dict[str, Any]:
    """The locked register: the signed version's content, which version and PDF were signed, and by whom."""
    return {**content, "signed": {"version": version, "pdf_sha256": pdf_sha256, "signatures": signatures}}
