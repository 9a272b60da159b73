"""Planned inspections through dispatch's API over the real broker and database: a plan's visit opens
once when it falls due, however many dispatch processes race for it; its results are recorded and a
failed item becomes a fault ticket at intake, which names the item, and the visit names the ticket; overdue and missed visits; appointments and the
engineer's day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from services.dispatch.inspections.tables import inspection_plans, inspection_visits
from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.sites import fresh_site
from testkit.waiting import eventually, stays
from testkit.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def engineer(site: str, engineer_id: str = "E01") -> dict[str, str]:
    """The headers of the site copy's engineer (`<site>-E01` owns bgm and its inspections)."""
    return bearer("wang.lei", Role.ENGINEER, engineer_id=f"{site}-{engineer_id}")


CHECKLIST: list[dict[str, object]] = [
    {"code": "amp", "text": "Amplifier on, no fault indicator", "asset_tag": "{site}-BGM-AMP-01"},
    {"code": "level", "text": "Atrium level", "kind": "measure", "unit": "dB(A)", "min": 65, "max": 78},
]


def _terms(site: str, **changes) -> dict:
    today = datetime.now(SHANGHAI).date()
    checklist = [{k: v.replace("{site}", site) if isinstance(v, str) else v for k, v in i.items()} for i in CHECKLIST]
    return {
        "subsystem": "bgm",
        "title": "Daily check",
        "repeat": "FREQ=DAILY",
        "starts_on": today.isoformat(),
        "window_working_days": 2,
        "checklist": checklist,
    } | changes


@pytest.fixture
async def site(seeded: World) -> str:
    return await fresh_site(seeded, names=("intake", "dispatch"))


@pytest.fixture
async def dispatch(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "dispatch", recurring_interval_seconds=0.3) as suite:
        yield suite["dispatch"]


async def test_a_due_visit_opens_once_whatever_the_number_of_dispatch_processes(
    seeded: World, site: str, tap: EventTap
) -> None:
    async with (
        running(seeded, "dispatch", recurring_interval_seconds=0.2) as first,
        running(seeded, "dispatch", recurring_interval_seconds=0.2) as second,
    ):
        code = f"{site}-BGM-D"
        answer = await first["dispatch"].http.put(f"/sites/{site}/inspection-plans/{code}", json=_terms(site))
        assert answer.json()["next_visit_on"] == datetime.now(SHANGHAI).date().isoformat()

        async def opened() -> list:
            return [e for e in tap.events("inspection.visit_opened") if e["payload"]["plan_code"] == code]

        [visit] = await eventually(opened)
        await stays(lambda: _count_is(opened(), 1), what="the visit opened once")
        payload = visit["payload"]
        assert (payload["engineer_id"], payload["subsystem"]) == (f"{site}-E01", "bgm")
        listed = (await second["dispatch"].http.get("/inspections/visits", params={"site_code": site})).json()
        assert [v["visit_id"] for v in listed] == [payload["visit_id"]]


async def _count_is(found, expected: int) -> bool:
    return len(await found) == expected


async def test_a_failed_item_becomes_a_fault_ticket_at_intake(seeded: World, site: str, tap: EventTap) -> None:
    async with running(seeded, "intake", "dispatch", recurring_interval_seconds=0.2) as suite:
        dispatch = suite["dispatch"]
        code = f"{site}-BGM-D"
        await dispatch.http.put(f"/sites/{site}/inspection-plans/{code}", json=_terms(site))
        [opened] = await eventually(lambda: _events_of(tap, "inspection.visit_opened", code))
        visit = opened["payload"]["visit_id"]

        incomplete = await dispatch.http.post(
            f"/inspections/visits/{visit}/results", json={"items": [{"code": "amp", "passed": True}]}
        )
        assert (incomplete.status_code, incomplete.json()["error"]) == (422, "invalid_results")
        assert "missing: level" in incomplete.json()["message"]

        items = [{"code": "amp", "passed": True}, {"code": "level", "value": 58.0, "note": "zone 3 quiet"}]
        not_theirs = await dispatch.http.post(
            f"/inspections/visits/{visit}/results", json={"items": items}, headers=engineer(site, "E02")
        )
        assert (not_theirs.status_code, not_theirs.json()["error"]) == (403, "not_your_visit")
        answer = await dispatch.http.post(
            f"/inspections/visits/{visit}/results", json={"items": items}, headers=engineer(site)
        )
        assert answer.json() == {"visit_id": visit, "failed": ["level"]}

        [completed] = await tap.wait_for("inspection.visit_completed", visit)
        assert (completed["payload"]["faults_reported"], completed["payload"]["late"]) == (1, False)
        assert completed["payload"]["results"][1]["expected"] == "65 to 78 dB(A)"

        async def fault_opened() -> list:
            return [e for e in tap.events("ticket.opened") if e["payload"]["site_code"] == site]

        [fault] = await eventually(fault_opened)
        assert (fault["payload"]["channel"], fault["payload"]["kind"]) == ("inspection", "fault")
        assert fault["payload"]["description"] == (
            f"Inspection {visit} found a fault: Atrium level: measured 58 dB(A), expected 65 to 78 dB(A)"
        )
        assert fault["payload"]["found_at"] == {"visit_id": visit, "item_code": "level", "item_text": "Atrium level"}
        ticket = fault["payload"]["ticket_id"]

        async def results_name_the_fault() -> dict[str, str | None]:
            results = (await dispatch.http.get(f"/inspections/visits/{visit}/results")).json()
            found = {result["item_code"]: result["ticket_id"] for result in results}
            return found if found.get("level") else {}

        assert await eventually(results_name_the_fault) == {"amp": None, "level": ticket}
        assert (await dispatch.http.get(f"/tickets/{ticket}")).json()["found_at"]["item_code"] == "level"
        again = await dispatch.http.post(f"/inspections/visits/{visit}/results", json={"items": items})
        assert (again.status_code, again.json()["error"]) == (409, "visit_done")


async def _events_of(tap: EventTap, message_type: str, plan_code: str) -> list:
    return [e for e in tap.events(message_type) if e["payload"].get("plan_code") == plan_code]


async def test_a_visit_past_its_window_is_overdue_and_missed_when_the_next_one_opens(
    dispatch: RunningService, site: str, tap: EventTap
) -> None:
    code = f"{site}-BGM-D"
    await dispatch.http.put(f"/sites/{site}/inspection-plans/{code}", json=_terms(site))
    [opened] = await eventually(lambda: _events_of(tap, "inspection.visit_opened", code))
    visit = opened["payload"]["visit_id"]
    yesterday = datetime.now(SHANGHAI).date() - timedelta(days=1)
    async with dispatch.runtime.engine.begin() as connection:
        await connection.execute(
            update(inspection_visits).where(inspection_visits.c.visit_id == visit).values(due_by=yesterday)
        )
    await tap.wait_for("inspection.visit_overdue", visit)
    overdue = (await dispatch.http.get("/inspections/visits", params={"site_code": site, "overdue": "true"})).json()
    assert [v["visit_id"] for v in overdue] == [visit]

    async with dispatch.runtime.engine.begin() as connection:  # the plan's next day comes
        await connection.execute(
            update(inspection_visits)
            .where(inspection_visits.c.visit_id == visit)
            .values(occurrence_on=date(2000, 1, 1))
        )
        await connection.execute(
            update(inspection_plans).where(inspection_plans.c.code == code).values(next_occurrence_on=yesterday)
        )
    await tap.wait_for("inspection.visit_missed", visit)
    statuses = {
        v["visit_id"]: v["status"]
        for v in (await dispatch.http.get("/inspections/visits", params={"site_code": site})).json()
    }
    assert statuses[visit] == "missed"
    assert "open" in statuses.values()


async def test_appointments_plan_the_engineers_day_and_urgent_jobs_are_not_put_off(
    dispatch: RunningService, site: str, tap: EventTap
) -> None:
    code = f"{site}-BGM-D"
    await dispatch.http.put(f"/sites/{site}/inspection-plans/{code}", json=_terms(site))
    [opened] = await eventually(lambda: _events_of(tap, "inspection.visit_opened", code))
    visit = opened["payload"]["visit_id"]
    today = datetime.now(SHANGHAI).replace(hour=22, minute=0, second=0, microsecond=0)
    window = {
        "starts_at": today.isoformat(),
        "ends_at": (today + timedelta(hours=2)).isoformat(),
        "agreed_with": "Xu Jing",
    }
    assert (await dispatch.http.post(f"/inspections/visits/{visit}/appointment", json=window)).status_code == 200
    backwards = window | {"ends_at": (today - timedelta(hours=1)).isoformat()}
    refused = await dispatch.http.post(f"/inspections/visits/{visit}/appointment", json=backwards)
    assert (refused.status_code, refused.json()["error"]) == (422, "invalid_window")

    day = (
        await dispatch.http.get(
            f"/engineers/{site}-E01/day", params={"day": today.date().isoformat(), "site_code": site}
        )
    ).json()
    assert (day[0]["what"], day[0]["id"], day[0]["agreed_with"]) == ("inspection", visit, "Xu Jing")
    missing = await dispatch.http.post("/tickets/NOPE/appointment", json=window)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"repeat": "EVERY DAY"}, 422, "invalid_plan"),
        ({"checklist": [{"code": "x", "text": "x", "kind": "measure"}]}, 422, "invalid_request"),
        ({"subsystem": "lighting"}, 422, "unknown_subsystem"),
    ],
    ids=["rule", "range", "subsystem"],
)
async def test_a_plan_that_makes_no_sense_is_refused(
    dispatch: RunningService, site: str, changes: dict, status: int, error: str
) -> None:
    response = await dispatch.http.put(f"/sites/{site}/inspection-plans/{site}-X", json=_terms(site, **changes))
    assert (response.status_code, response.json()["error"]) == (status, error)
    plans = (await dispatch.http.get(f"/sites/{site}/inspection-plans")).json()
    assert f"{site}-X" not in {plan["code"] for plan in plans}
