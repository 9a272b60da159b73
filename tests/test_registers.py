"""A month of the demo site (a copy under a code of its own), registered and signed by both parties
over the real broker and database: intake describes the site and its equipment, the month's events
reach the archive, the acceptance register is recorded and signed at handover, November's register
is drawn up from the archive's own timeline and compared with it, drawn up again, and signed; every
rule of signing answers 409 with its reason, and the chain still verifies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from services.archive.verification import verify_chains
from shared.contracts import EquipmentChanged
from shared.contracts.envelope import seal
from shared.identity import Role
from shared.persistence.database import asyncpg_dsn
from testkit.broker import EventTap, send_envelopes
from testkit.documents import pdf_images, pdf_text, signature_png
from testkit.identities import bearer
from testkit.in_process import running
from testkit.months import SHANGHAI, last_month, month_at_site
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

PNG = base64.b64encode(signature_png()).decode()


async def test_the_demo_sites_month_is_registered_compared_with_its_acceptance_and_signed(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded)
    async with running(seeded, "intake", "archive") as suite:
        archive = suite["archive"].http
        await _kept(seeded, "SELECT count(*) FROM archive.timeline WHERE site_code = $1 AND type = $2", site, 7)

        # At handover, with the customer present: the completion list checked, then signed by both.
        acceptance = await _created(archive.post(f"/sites/{site}/registers/acceptance", json=_handover()))
        assert (acceptance["kind"], acceptance["period"], acceptance["status"]) == (
            "acceptance",
            f"{site}-MC-2026",
            "draft",
        )
        await _sign_both(archive, acceptance["code"], 1)
        accepted = await _content(archive, acceptance["code"])
        models = {m["model"]: m["quantity"] for m in accepted["equipment"]["models"]}
        assert models["Bosch LBC3090/01 ceiling speaker"] == 48
        assert accepted["results"] == {"passed": 2, "failed": 1, "not_applicable": 0}

        # Last month at the site, told in seconds: its equipment as intake announced it (re-sent as of
        # the month's start), then the month's events.
        at = last_month(datetime.now(UTC))
        label = f"{at.astimezone(SHANGHAI):%Y-%m}"
        devices = [
            seal(
                EquipmentChanged.model_validate(event["payload"]),
                producer="intake",
                correlation_id=event["correlation_id"],
                occurred_at=at - timedelta(hours=1),
            )
            for event in tap.events("equipment.changed")
            if event["payload"]["site_code"] == site
        ]
        assert len(devices) == 7
        month = [*devices, *month_at_site(site, at)]
        await send_envelopes(seeded.amqp_url, month)
        await _kept(
            seeded,
            "SELECT count(*) FROM archive.timeline WHERE message_id = ANY($1::uuid[])",
            [str(e.message_id) for e in month],
            len(month),
        )

        drawn = await _created(archive.post(f"/sites/{site}/registers", json={"kind": "monthly", "period": label}))
        assert (drawn["period"], drawn["latest_version"], drawn["first_day"]) == (label, 1, f"{label}-01")
        content = await _content(archive, drawn["code"])
        assert content["baseline"] == {"code": acceptance["code"], "version": 2, "signed": True}
        assert content["tickets"]["by_subsystem_and_kind"] == [
            {"subsystem": "av", "kind": "fault", "opened": 1, "resolved": 1, "closed": 1},
            {"subsystem": "bgm", "kind": "fault", "opened": 1, "resolved": 1, "closed": 0},
        ]
        sla = {row["clock"]: (row["met"], row["breached"]) for row in content["sla"]}
        assert sla == {"response": (2, 0), "on_site": (1, 1), "resolution": (2, 0)}
        assert content["inspections"]["failed_items"][0]["found"] == "58 dB(A)"
        assert content["vendor_cases"]["closed"] == {"fixed": 1}
        assert (content["follow_ups"]["reached"], content["follow_ups"]["average_satisfaction"]) == (2, 3.0)
        speakers = next(m for m in content["equipment"]["models"] if m["model"] == "Bosch LBC3090/01 ceiling speaker")
        assert (speakers["quantity"], speakers["at_acceptance"], speakers["difference"]) == (46, 48, -2)
        assert [c["action"] for c in content["equipment"]["changes"]][-1] == "updated"

        # Drawn up again: a new version that supersedes the first; the first can no longer be signed.
        again = await _created(archive.post(f"/sites/{site}/registers", json={"kind": "monthly", "period": label}))
        assert (again["code"], again["latest_version"]) == (drawn["code"], 2)
        code = drawn["code"]
        await _refused(archive, code, 1, "integrator", "superseded_version", "sign version 2")
        await _sign(archive, code, 2, "integrator", "王工 Wang Gang")
        await _refused(archive, code, 2, "integrator", "already_signed", "王工 Wang Gang")
        locked = await _sign(archive, code, 2, "customer", "徐静 Xu Jing")
        assert (locked["status"], locked["locked_version"]) == ("locked", 3)
        shown = (await archive.get(f"/registers/{code}")).json()
        assert [(s["party"], s["signed_by"]) for s in shown["signatures"]] == [
            ("integrator", "wang.gang"),
            ("customer", "xu.jing"),
        ]
        await _refused(archive, code, 3, "customer", "register_locked", "locked as version 3")
        relock = await archive.post(f"/sites/{site}/registers", json={"kind": "monthly", "period": label})
        assert (relock.status_code, relock.json()["error"]) == (409, "register_locked")

        # The sealed version's hash covers the signed PDF and both signatures.
        signed_pdf = await archive.get(f"/documents/{code}/pdf", params={"version": 2})
        sealed = await _content(archive, code)
        assert sealed["signed"]["version"] == 2
        assert sealed["signed"]["pdf_sha256"] == signed_pdf.headers["etag"].strip('"')
        assert [s["name"] for s in sealed["signed"]["signatures"]] == ["王工 Wang Gang", "徐静 Xu Jing"]
        assert [s["signed_by"] for s in sealed["signed"]["signatures"]] == ["wang.gang", "xu.jing"]
        listed = (await archive.get("/documents", params={"site_code": site, "category": "REG"})).json()
        versions = {(d["code"], d["version"]): d for d in listed}
        assert (versions[code, 3]["supersedes"], versions[code, 2]["supersedes"]) == (2, 1)
        text = pdf_text((await archive.get(f"/documents/{code}/pdf")).content)
        for words in ("设备运行登记表", label, "徐静 Xu Jing", "王工 Wang Gang", "58 dB(A)", "Signed version v2"):
            assert words in text, words
        # Its reading copy in English: the signatures as drawn, the signed version, the sealed PDF's digest.
        sealed_pdf = await archive.get(f"/documents/{code}/pdf")
        english = await archive.get(f"/documents/{code}/pdf", params={"lang": "en"})
        assert english.status_code == 200, english.text
        read = pdf_text(english.content)
        for words in ("Equipment and operation register", "徐静 Xu Jing", "Signed version v2", "reading copy"):
            assert words in read, words
        assert "设备运行登记表" not in read
        assert sealed_pdf.headers["etag"].strip('"') in read.replace("\n", "")
        assert len(pdf_images(english.content)) == len(pdf_images(sealed_pdf.content)) > 0  # the signatures, drawn
        registers = (await archive.get(f"/sites/{site}/registers")).json()
        assert [(r["kind"], r["status"]) for r in registers] == [("acceptance", "locked"), ("monthly", "locked")]

        open_month = await _created(archive.post(f"/sites/{site}/registers", json={"kind": "monthly"}))
        assert open_month["status"] == "draft"
        await _refused(archive, open_month["code"], 1, "integrator", "period_open", "once the period has ended")

        unknown = await archive.post("/sites/NOWHERE/registers", json={"kind": "monthly", "period": label})
        assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_site")
        bad = await archive.post(f"/sites/{site}/registers", json={"kind": "monthly", "period": "2026-13"})
        assert (bad.status_code, bad.json()["error"]) == (422, "bad_period")
        future = await archive.post(f"/sites/{site}/registers", json={"kind": "quarterly", "period": "2099-Q1"})
        assert (future.status_code, future.json()["error"]) == (422, "period_not_begun")

        async with suite["archive"].runtime.database.connect() as connection:
            verified = await verify_chains(connection, site)
        assert verified[site].first_break is None
        assert verified[site].links >= 8


def _handover() -> dict[str, Any]:
    return {
        "handed_over_on": "2026-01-05",
        "checks": [
            {"subsystem": "bgm", "item": "全区广播与分区寻呼 Zone paging", "result": "passed"},
            {"subsystem": "av", "item": "活动大厅扩声 Event hall PA", "result": "passed"},
            {
                "subsystem": "signage",
                "item": "外立面 LED 屏坏点 Facade LED dead pixels",
                "result": "failed",
                "remark": "3 个坏点",
            },
        ],
        "integrator_present": ["王工 Wang Gang"],
        "customer_present": ["徐静 Xu Jing"],
    }


async def _kept(world: World, query: str, argument: Any, count: int) -> None:
    """Wait until the archive's timeline holds `count` rows answering `query`."""
    connection = await asyncpg.connect(asyncpg_dsn(world.database_url))
    try:

        async def enough() -> bool:
            found = await connection.fetchval(query, argument, *(["equipment.changed"] if "$2" in query else []))
            return int(found) >= count

        await eventually(enough, timeout=30)
    finally:
        await connection.close()


async def _created(request: Any) -> dict[str, Any]:
    response = await request
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _content(archive: httpx.AsyncClient, code: str) -> dict[str, Any]:
    return dict(json.loads((await archive.get(f"/documents/{code}/content")).content))


def _signer(party: str, code: str) -> dict[str, str]:
    if party == "integrator":
        return bearer("wang.gang", Role.MANAGER)
    return bearer("xu.jing", Role.CUSTOMER, site_code=code.split("-", 1)[0])


async def _sign(archive: httpx.AsyncClient, code: str, version: int, party: str, name: str) -> dict[str, Any]:
    body = {"version": version, "party": party, "name": name, "role": "负责人", "signature_png": PNG}
    return await _created(archive.post(f"/registers/{code}/signatures", json=body, headers=_signer(party, code)))


async def _sign_both(archive: httpx.AsyncClient, code: str, version: int) -> None:
    await _sign(archive, code, version, "integrator", "王工 Wang Gang")
    assert (await _sign(archive, code, version, "customer", "徐静 Xu Jing"))["status"] == "locked"


async def _refused(archive: httpx.AsyncClient, code: str, version: int, party: str, reason: str, says: str) -> None:
    body = {"version": version, "party": party, "name": "someone", "role": "r"}
    response = await archive.post(f"/registers/{code}/signatures", json=body, headers=_signer(party, code))
    assert (response.status_code, response.json()["error"]) == (409, reason), response.text
    assert says in response.json()["message"]
