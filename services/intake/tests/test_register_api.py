"""The equipment register and contracts over intake's API and the real database: devices added,
changed and retired with their history; register files imported whole or not at all, with every
problem named; contracts kept without overlaps; the coverage a ticket opens with."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from shared.identity import Role
from shared.spreadsheets import MEDIA_TYPES, SheetFormat
from testkit.database import produced
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import CONTRACT_TERMS
from testkit.sites import fresh_site
from testkit.world import World

CSV = {"content-type": "text/csv"}
MANAGER = bearer("liu.yang", Role.MANAGER)
NEW_DEVICE = {
    "asset_tag": "NEW-AV-MIX-01",
    "subsystem": "av",
    "model": "Yamaha TF5",
    "manufacturer": "yamaha",
    "serial_number": "TF5-0099",
    "vendor_code": "yamaha",
    "install_date": "2026-05-01",
    "warranty_until": "2028-04-30",
    "location": "L5 event hall",
}


@pytest.fixture
async def intake(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "intake") as suite:
        yield suite["intake"]


@pytest.fixture
async def site(seeded: World) -> str:
    return await fresh_site(seeded, names=("intake",))


async def test_a_device_is_added_changed_and_retired_and_its_history_says_who_when_why(
    intake: RunningService, site: str
) -> None:
    added = await intake.http.post(f"/sites/{site}/equipment", json=NEW_DEVICE, headers=MANAGER)
    assert added.status_code == 201, added.text
    changed = await intake.http.patch(
        f"/sites/{site}/equipment/NEW-AV-MIX-01",
        json={"location": "B1 workshop", "status": "under_repair", "reason": "sent for repair"},
        headers=MANAGER,
    )
    assert changed.json()["status"] == "under_repair"
    retired = await intake.http.post(
        f"/sites/{site}/equipment/NEW-AV-MIX-01/retire", json={"status": "replaced", "reason": "beyond repair"}
    )
    assert retired.json()["status"] == "replaced"

    device = (await intake.http.get(f"/sites/{site}/equipment/NEW-AV-MIX-01")).json()
    history = device["history"]
    assert [(h["action"], h["actor"], h["reason"]) for h in history] == [
        ("created", "liu.yang", None),
        ("updated", "liu.yang", "sent for repair"),
        ("retired", "admin", "beyond repair"),  # the default client signs in as the admin
    ]
    assert history[1]["changes"] == {
        "location": ["L5 event hall", "B1 workshop"],
        "status": ["in_service", "under_repair"],
    }
    replaced = await intake.http.get(f"/sites/{site}/equipment", params={"status": "replaced"})
    assert [d["asset_tag"] for d in replaced.json()] == ["NEW-AV-MIX-01"]


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"asset_tag": f"{'{site}'}-AV-PRJ-01"}, 409, "duplicate_asset_tag"),
        ({"subsystem": "lighting"}, 422, "unknown_subsystem"),
        ({"warranty_until": "2020-01-01"}, 422, "invalid_request"),
        ({"quantity": 0}, 422, "invalid_request"),
    ],
    ids=["tag-taken", "subsystem", "warranty-before-install", "quantity"],
)
async def test_a_bad_device_is_refused_and_nothing_written(
    intake: RunningService, site: str, change: dict, status: int, error: str
) -> None:
    body = {**NEW_DEVICE, **{k: v.replace("{site}", site) if isinstance(v, str) else v for k, v in change.items()}}
    before = (await intake.http.get(f"/sites/{site}/equipment")).json()
    response = await intake.http.post(f"/sites/{site}/equipment", json=body)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert (await intake.http.get(f"/sites/{site}/equipment")).json() == before


async def test_a_serial_number_names_one_device_across_sites(intake: RunningService, site: str) -> None:
    demo_serial = {**NEW_DEVICE, "manufacturer": "Panasonic", "serial_number": "sh3240051"}  # HH138's projector
    response = await intake.http.post(f"/sites/{site}/equipment", json=demo_serial)
    assert (response.status_code, response.json()["error"]) == (409, "serial_taken")
    assert "already registered to HH138/HH138-AV-PRJ-01" in response.json()["message"]


async def test_unknown_sites_and_devices_are_404(intake: RunningService, site: str) -> None:
    assert (await intake.http.get("/sites/NOPE1/equipment")).status_code == 404
    missing = await intake.http.patch(f"/sites/{site}/equipment/NOPE", json={"reason": "x", "location": "y"})
    assert (missing.status_code, missing.json()["error"]) == (404, "unknown_device")


def _csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8-sig")


async def test_an_export_imports_back_unchanged_in_both_formats(intake: RunningService, site: str) -> None:
    for sheet in SheetFormat:
        exported = await intake.http.get(f"/sites/{site}/equipment/export", params={"format": sheet.value})
        assert exported.headers["content-type"].startswith(MEDIA_TYPES[sheet])
        again = await intake.http.post(
            f"/sites/{site}/equipment/import", content=exported.content, headers={"content-type": MEDIA_TYPES[sheet]}
        )
        assert again.status_code == 200, again.text
        assert again.json() | {"rows": 0} == {"dry_run": False, "rows": 0, "created": [], "updated": [], "unchanged": 7}
    workbook = load_workbook(io.BytesIO(exported.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[:4] == ["asset_tag", "subsystem", "model", "manufacturer"]


async def test_an_import_adds_and_updates_and_a_dry_run_writes_nothing(intake: RunningService, site: str) -> None:
    file = _csv(
        [
            ["资产编号", "系统", "型号", "品牌", "序列号", "保修期至", "数量"],
            [f"{site}-AV-PRJ-01", "av", "Panasonic PT-RZ970", "panasonic", f"{site}-SH3240051", "2029/03/19", "2"],
            [f"{site}-BGM-SPK-B1", "bgm", "Bosch LBC3090/01", "bosch", "", "", "24"],
        ]
    )
    dry = await intake.http.post(
        f"/sites/{site}/equipment/import", params={"dry_run": "true"}, content=file, headers=CSV
    )
    assert dry.json() == {
        "dry_run": True,
        "rows": 2,
        "created": [f"{site}-BGM-SPK-B1"],
        "updated": [f"{site}-AV-PRJ-01"],
        "unchanged": 0,
    }
    assert (await intake.http.get(f"/sites/{site}/equipment/{site}-BGM-SPK-B1")).status_code == 404

    done = await intake.http.post(f"/sites/{site}/equipment/import", content=file, headers=CSV | MANAGER)
    assert done.json()["created"] == [f"{site}-BGM-SPK-B1"]
    projector = (await intake.http.get(f"/sites/{site}/equipment/{site}-AV-PRJ-01")).json()
    assert projector["warranty_until"] == "2029-03-19"
    assert projector["history"][-1]["changes"] == {"warranty_until": ["2028-03-19", "2029-03-19"]}
    assert (projector["history"][-1]["action"], projector["history"][-1]["actor"]) == ("imported", "liu.yang")


async def test_a_file_with_problems_is_refused_whole_with_each_one_named(intake: RunningService, site: str) -> None:
    file = _csv(
        [
            ["asset_tag", "subsystem", "model", "manufacturer", "serial"],
            [f"{site}-NEW-1", "bgm", "m1", "bosch", "X-1"],
            [f"{site}-NEW-2", "lighting", "m2", "bosch", ""],
            [f"{site}-NEW-3", "bgm", "m3", "bosch", "x-1"],
        ]
    )
    before = (await intake.http.get(f"/sites/{site}/equipment")).json()
    response = await intake.http.post(f"/sites/{site}/equipment/import", content=file, headers=CSV)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_register_file")
    assert response.json()["problems"] == [
        "row 3, subsystem: unknown subsystem 'lighting'; the site has av, bgm, control, signage",
        "row 4, serial: duplicate of row 2",
    ]
    assert (await intake.http.get(f"/sites/{site}/equipment")).json() == before


async def test_files_that_are_not_registers_are_refused(intake: RunningService, site: str) -> None:
    url = f"/sites/{site}/equipment/import"
    xlsx = {"content-type": MEDIA_TYPES[SheetFormat.XLSX]}
    assert (await intake.http.post(url, content=b"PK\x03\x04 broken", headers=xlsx)).json()[
        "error"
    ] == "unreadable_file"
    assert (await intake.http.post(url, content=b"", headers=CSV)).json()["error"] == "unreadable_file"
    wrong = await intake.http.post(url, content=b"{}", headers={"content-type": "application/json"})
    assert (wrong.status_code, wrong.json()["error"]) == (415, "unsupported_file")


async def test_every_register_and_contract_change_is_announced_with_the_whole_device_or_site(
    seeded: World, intake: RunningService, site: str
) -> None:
    """Other services keep what they need of the register from these events, never from intake's tables."""
    added = await intake.http.post(f"/sites/{site}/equipment", json=NEW_DEVICE | {"serial_number": f"{site}-1"})
    assert added.status_code == 201, added.text
    await intake.http.patch(
        f"/sites/{site}/equipment/NEW-AV-MIX-01", json={"location": "B1", "reason": "moved"}, headers=MANAGER
    )
    changed = await produced(seeded, "intake", "equipment.changed", correlation_id=f"{site}/NEW-AV-MIX-01")
    assert [(e.payload["action"], e.payload["device"]["location"]) for e in changed] == [
        ("created", "L5 event hall"),
        ("updated", "B1"),
    ]
    assert changed[1].payload["device"]["serial_number"] == f"{site}-1"
    assert changed[1].payload["changes"] == {"location": ["L5 event hall", "B1"]}

    await intake.http.put(f"/sites/{site}/contracts/{site}-MC-2028", json=CONTRACT_TERMS)
    described = await produced(seeded, "intake", "site.described", correlation_id=site)
    assert described[-1].payload["address"] == "138 Huaihai Middle Road, Huangpu District, Shanghai"
    assert described[-1].payload["representative"]["name"] == "Xu Jing"  # of the contract in force today
    # what people call its subsystems, for the texts they read (notify's notices, the archive's documents)
    assert {"code": "bgm", "name": "Background music", "local_name": "BGM背景音乐系统"} in described[-1].payload[
        "subsystems"
    ]


async def test_a_search_takes_what_was_typed_literally(intake: RunningService, site: str) -> None:
    """`_` and `%` are LIKE's wildcards: typed into the search they match themselves, not everything."""
    everything = (await intake.http.get(f"/sites/{site}/equipment")).json()
    assert len(everything) > 2
    for typed in ("_", "%", "\\"):
        found = (await intake.http.get(f"/sites/{site}/equipment", params={"q": typed})).json()
        assert found == [], typed
    amplifier = (await intake.http.get(f"/sites/{site}/equipment", params={"q": "bgm-amp"})).json()
    assert [d["asset_tag"] for d in amplifier] == [f"{site}-BGM-AMP-01"]
