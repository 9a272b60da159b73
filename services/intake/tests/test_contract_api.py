"""Maintenance contracts and coverage over intake's API and the real database: contracts kept per period
without overlaps; the coverage the hotline sees and a ticket opens with; reclassification."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts import TicketOpened
from shared.identity import Role
from testkit.database import produced
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import CONTRACT_TERMS as TERMS
from testkit.sites import fresh_site
from testkit.world import World

MANAGER = bearer("liu.yang", Role.MANAGER)


@pytest.fixture
async def intake(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "intake") as suite:
        yield suite["intake"]


@pytest.fixture
async def site(seeded: World) -> str:
    return await fresh_site(seeded, names=("intake",))


async def test_contracts_are_kept_per_period_without_overlaps(intake: RunningService, site: str) -> None:
    renewal = await intake.http.put(f"/sites/{site}/contracts/{site}-MC-2028", json=TERMS)
    assert renewal.status_code == 200, renewal.text
    codes = [c["code"] for c in (await intake.http.get(f"/sites/{site}/contracts")).json()]
    assert codes == [f"{site}-MC-2025", f"{site}-MC-2026", f"{site}-MC-2028"]

    overlapping = await intake.http.put(f"/sites/{site}/contracts/{site}-X", json={**TERMS, "starts_on": "2027-06-01"})
    assert (overlapping.status_code, overlapping.json()["error"]) == (409, "contract_overlap")
    unknown = await intake.http.put(f"/sites/{site}/contracts/{site}-Y", json={**TERMS, "covered_subsystems": ["hvac"]})
    assert (unknown.status_code, unknown.json()["error"]) == (422, "unknown_subsystem")
    backwards = await intake.http.put(f"/sites/{site}/contracts/{site}-Z", json={**TERMS, "ends_on": "2027-01-01"})
    assert (backwards.status_code, backwards.json()["error"]) == (422, "invalid_contract")
    theirs = await intake.http.put(f"/sites/{site}/contracts/HH138-MC-2026", json=TERMS)
    assert (theirs.status_code, theirs.json()["error"]) == (409, "contract_of_another_site")


@pytest.mark.parametrize(
    ("query", "basis", "reason"),
    [
        (
            {"subsystem": "av", "asset_tag": "{site}-AV-PRJ-01", "on": "2026-11-27"},
            "manufacturer_warranty",
            "under panasonic's warranty until 2028-03-19",
        ),
        (
            {"subsystem": "bgm", "asset_tag": "{site}-BGM-AMP-01", "on": "2026-11-27"},
            "maintenance_contract",
            "{site}-MC-2026 covers bgm",
        ),
        ({"subsystem": "control", "on": "2025-06-01"}, "chargeable", "{site}-MC-2025 does not cover subsystem control"),
    ],
    ids=["warranty", "contract", "not-covered"],
)
async def test_coverage_as_the_hotline_sees_it(
    intake: RunningService, site: str, query: dict, basis: str, reason: str
) -> None:
    params = {k: v.replace("{site}", site) for k, v in query.items()}
    coverage = (await intake.http.get(f"/sites/{site}/coverage", params=params)).json()
    assert (coverage["basis"], reason.replace("{site}", site) in coverage["reason"]) == (basis, True)


async def test_a_ticket_opens_with_its_coverage_and_can_be_reclassified(
    seeded: World, intake: RunningService, site: str
) -> None:
    opened = await intake.http.post(
        "/requests",
        json={
            "site_code": site,
            "subsystem": "av",
            "asset_tag": f"{site}-AV-PRJ-01",
            "description": "Projector shows no picture",
            "channel": "hotline",
            "reporter": {"name": "Mr. Zhou"},
            "reported_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
    )
    ticket = opened.json()["ticket_id"]
    [event] = await produced(seeded, "intake", "ticket.opened", correlation_id=ticket)
    published = TicketOpened.model_validate(event.payload)
    assert published.coverage is not None
    assert (published.coverage.basis, published.coverage.vendor_code) == ("manufacturer_warranty", "panasonic")
    assert published.device is not None
    assert (published.device.serial_number, str(published.device.warranty_until)) == (f"{site}-SH3240051", "2028-03-19")

    change = {"kind": "complaint", "priority": "high", "reason": "Caller is the mall manager, complaining of repeats"}
    response = await intake.http.post(f"/tickets/{ticket}/reclassify", json=change, headers=MANAGER)
    assert response.status_code == 200, response.text
    [reclassified] = await produced(seeded, "intake", "ticket.reclassified", correlation_id=ticket)
    assert reclassified.payload | {"reclassified_at": None} == {
        "ticket_id": ticket,
        "kind": "complaint",
        "priority": "high",
        "previous_kind": "fault",
        "previous_priority": "normal",
        "reason": change["reason"],
        "actor": "liu.yang",
        "reclassified_at": None,
    }
    recorded = (await intake.http.get(f"/tickets/{ticket}")).json()
    assert (recorded["kind"], recorded["reclassifications"][0]["changes"]) == (
        "complaint",
        {"kind": ["fault", "complaint"], "priority": ["normal", "high"]},
    )
    same = await intake.http.post(f"/tickets/{ticket}/reclassify", json=change)
    assert (same.status_code, same.json()["error"]) == (422, "nothing_to_change")
    missing = await intake.http.post("/tickets/NOPE/reclassify", json=change)
    assert missing.status_code == 404
