"""Proof of arrival through dispatch's API: a check-in near the demo site's entrance is noted with its
distance; one far away, too vague or without a position is accepted all the same but flagged, listed
for the manager and announced on `ticket.on_site` with the proof. Where the site is, for the phone's map."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.sites import fresh_site
from testkit.tickets import assigned_ticket
from testkit.world import World

ENTRANCE = {"latitude": 31.2196, "longitude": 121.4733}  # deploy/demo/huaihai-138.toml
MANAGER = bearer("liu.yang", Role.MANAGER)


@pytest.fixture
async def dispatch(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "dispatch") as suite:
        yield suite["dispatch"]


async def _arrive(dispatch: RunningService, world: World, site: str, position: dict | None) -> tuple[str, dict]:
    ticket, engineer = await assigned_ticket(world, dispatch, site)
    assert (await dispatch.http.post(f"/tickets/{ticket}/accept", json={}, headers=engineer)).status_code == 200
    body = {"position": position} if position else {}
    before = await _last_history_id(dispatch, site, ticket)
    arrived = await dispatch.http.post(f"/tickets/{ticket}/arrive", json=body, headers=engineer)
    assert (arrived.status_code, arrived.json()["status"]) == (200, "on_site"), arrived.text
    row = (await dispatch.http.get(f"/tickets/{ticket}/history")).json()[-1]
    assert arrived.json()["arrival"] == row["facts"]  # the check in the answer: the phone says it at once
    assert await _last_history_id(dispatch, site, ticket) > before  # the open list tells a ticket changed
    return ticket, row


async def _last_history_id(dispatch: RunningService, site: str, ticket: str) -> int:
    listed = (await dispatch.http.get("/tickets", params={"site_code": site}, headers=MANAGER)).json()
    return int(next(row for row in listed if row["ticket_id"] == ticket)["last_history_id"])


async def test_arrivals_near_far_and_without_a_position(seeded: World, dispatch: RunningService, tap: EventTap) -> None:
    site = await fresh_site(seeded, names=("dispatch",))
    near, near_row = await _arrive(dispatch, seeded, site, {**ENTRANCE, "latitude": 31.2197, "accuracy_m": 25})
    assert (near_row["action"], near_row["note"]) == ("arrive", "arrived 11 m from the site")
    far, far_row = await _arrive(dispatch, seeded, site, {"latitude": 31.2304, "longitude": 121.4737, "accuracy_m": 15})
    assert far_row["note"] == "arrival flagged: 1202 m from the site"
    blind, blind_row = await _arrive(dispatch, seeded, site, None)
    assert blind_row["note"] == "arrival flagged: no position from the phone"

    flagged = (
        await dispatch.http.get("/arrivals", params={"flagged": "true", "site_code": site}, headers=MANAGER)
    ).json()
    assert [(a["ticket_id"], a["doubt"], a["distance_m"] and round(a["distance_m"])) for a in flagged] == [
        (blind, "no_position", None),
        (far, "too_far", 1202),
    ]
    every = (await dispatch.http.get("/arrivals", params={"site_code": site}, headers=MANAGER)).json()
    assert {a["ticket_id"] for a in every} == {near, far, blind}

    [announced] = await tap.wait_for("ticket.on_site", far)
    proof = announced["payload"]["arrival"]
    assert (proof["flagged"], proof["doubt"], round(proof["distance_m"])) == (True, "too_far", 1202)
    [calm] = await tap.wait_for("ticket.on_site", near)
    assert (calm["payload"]["arrival"]["flagged"], calm["payload"]["arrival"]["accuracy_m"]) == (False, 25)

    engineer_view = await dispatch.http.get("/arrivals", headers=bearer("e", Role.ENGINEER, engineer_id="E01"))
    assert engineer_view.status_code == 403


async def test_where_the_site_is_for_the_phones_map(seeded: World, dispatch: RunningService) -> None:
    site = await fresh_site(seeded, names=("dispatch",))
    engineer = bearer("wang.lei", Role.ENGINEER, engineer_id=f"{site}-E01")
    where = await dispatch.http.get(f"/sites/{site}/location", headers=engineer)
    assert where.status_code == 200, where.text
    assert where.json() == {
        "site_code": site,
        "timezone": "Asia/Shanghai",
        **ENTRANCE,
        "arrival_radius_m": 200.0,
    }
    unknown = await dispatch.http.get("/sites/NOWHERE/location", headers=engineer)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_site")
