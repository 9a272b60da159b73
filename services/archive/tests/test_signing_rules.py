"""The signing rules of a register: each party signs the latest version once, and the second signature
locks it; anything else is refused with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.archive.domain.signing import (
    Party,
    RegisterRefused,
    RegisterState,
    Signature,
    check_signature,
    completes,
)

AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def _state(latest: int = 2, locked: int | None = None, *signed: Party) -> RegisterState:
    return RegisterState("HH138-2026-REG-000002", latest, locked, tuple(Signature(p, "n", "r", AT) for p in signed))


@pytest.mark.parametrize(
    ("state", "version", "party", "reason"),
    [
        (_state(2), 1, Party.CUSTOMER, "superseded_version"),
        (_state(2), 3, Party.CUSTOMER, "unknown_version"),
        (_state(2, None, Party.INTEGRATOR), 2, Party.INTEGRATOR, "already_signed"),
        (_state(3, 3), 3, Party.CUSTOMER, "register_locked"),
    ],
)
def test_a_signature_is_refused_on_a_superseded_version_twice_or_once_locked(
    state: RegisterState, version: int, party: Party, reason: str
) -> None:
    with pytest.raises(RegisterRefused) as refused:
        check_signature(state, version, party)
    assert refused.value.reason == reason


def test_the_second_partys_signature_locks_the_register() -> None:
    check_signature(_state(2), 2, Party.CUSTOMER)
    assert not completes(_state(2), Party.CUSTOMER)
    assert completes(_state(2, None, Party.INTEGRATOR), Party.CUSTOMER)
