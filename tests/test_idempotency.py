"""Idempotency keys over the real database, through dispatch's API as the engineer's phone uses it:
a move sent twice with the same key is made once and answered twice alike (the second marked as a
replay), a refusal is replayed as the refusal it was, a key reused for another request (another path or
body) or sent while its first request is in hand is refused (unless that first request was abandoned),
a key is the caller's own, and a malformed key is refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, update

from shared.identity import Role
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.tickets import assigned_ticket
from testkit.world import World


@pytest.fixture
async def dispatch(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "dispatch") as suite:
        yield suite["dispatch"]


async def test_a_move_sent_twice_with_one_key_is_made_once(seeded: World, dispatch: RunningService) -> None:
    ticket, engineer = await assigned_ticket(seeded, dispatch)
    key = {"Idempotency-Key": f"phone-{uuid.uuid4()}"}
    first = await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers={**engineer, **key})
    again = await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers={**engineer, **key})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json() == {"ticket_id": ticket, "status": "accepted"}
    assert (first.headers.get("Idempotent-Replayed"), again.headers["Idempotent-Replayed"]) == (None, "true")
    history = (await dispatch.http.get(f"/tickets/{ticket}/history")).json()
    assert [h["action"] for h in history].count("accept") == 1

    # Without the key the same move is refused by the ticket's rules, and that refusal is kept too.
    refused_key = {"Idempotency-Key": f"phone-{uuid.uuid4()}"}
    refused = await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers={**engineer, **refused_key})
    replayed = await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers={**engineer, **refused_key})
    assert (refused.status_code, refused.json()["error"]) == (409, "move_refused")
    assert (replayed.status_code, replayed.json(), replayed.headers["Idempotent-Replayed"]) == (
        409,
        refused.json(),
        "true",
    )

    other_body = await dispatch.http.post(
        f"/tickets/{ticket}/accept", json={"at": datetime.now(UTC).isoformat()}, headers={**engineer, **key}
    )
    assert (other_body.status_code, other_body.json()["error"]) == (422, "idempotency_key_reused")
    reused = await dispatch.http.post(f"/tickets/{ticket}/arrive", json={}, headers={**engineer, **key})
    assert (reused.status_code, reused.json()["error"]) == (422, "idempotency_key_reused")
    assert f"POST /tickets/{ticket}/accept" in reused.json()["message"]

    # Another caller's key of the same spelling is theirs: the manager's request is handled on its own.
    manager = bearer("liu.yang", Role.MANAGER)
    theirs = await dispatch.http.post(f"/tickets/{ticket}/arrive", json={}, headers={**manager, **key})
    assert (theirs.status_code, theirs.json()["status"]) == (200, "on_site")

    malformed = await dispatch.http.post(
        f"/tickets/{ticket}/pause", json={"reason": "waiting_for_parts"}, headers={**manager, "Idempotency-Key": "x"}
    )
    assert (malformed.status_code, malformed.json()["error"]) == (422, "bad_idempotency_key")


async def test_a_copy_arriving_while_the_first_is_in_hand_is_told_so(seeded: World, dispatch: RunningService) -> None:
    ticket, engineer = await assigned_ticket(seeded, dispatch)
    key = f"phone-{uuid.uuid4()}"
    subject = "eng-" + (await dispatch.http.get(f"/tickets/{ticket}")).json()["engineer_id"]
    claimed = await dispatch.runtime.database.idempotency.claim(subject, key, "POST", f"/tickets/{ticket}/accept")
    assert claimed is None  # as the first copy does before it is handled
    second = await dispatch.http.post(
        f"/tickets/{ticket}/accept", json={}, headers={**engineer, "Idempotency-Key": key}
    )
    assert (second.status_code, second.json()["error"]) == (409, "request_in_progress")
    # The first copy's process died before it answered: once a request's time is long past, the key is free
    # (by the database's clock, which stamps the claim; the process's may differ).
    keys = dispatch.runtime.definition.metadata.tables["dispatch.idempotency_keys"]
    async with dispatch.runtime.engine.begin() as connection:
        await connection.execute(
            update(keys).where(keys.c.key == key).values(created_at=func.now() - timedelta(minutes=3))
        )
    third = await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers={**engineer, "Idempotency-Key": key})
    assert (third.status_code, third.json()["status"]) == (200, "accepted")
