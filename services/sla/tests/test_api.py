"""The SLA service's API over the real broker and database: policies edited by version, sites put
under a policy, the calendar a policy counts on, clocks as people read them, the monthly report."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import SiteDescribed, TicketOnSite, seal
from testkit.broker import send_envelopes
from testkit.in_process import RunningService, running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOLD = {
    "name": "Gold contract",
    "warn_at": [0.5, 0.9],
    "pauses": {"waiting_for_customer": ["on_site"]},
    "days_off": ["2026-11-27"],
    "targets": [
        {"clock": "on_site", "minutes": 120, "non_working_day_minutes": 240},
        {"clock": "resolution", "minutes": 540, "counting": "business_hours"},
    ],
}


@pytest.fixture
async def sla(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "sla") as suite:
        yield suite["sla"]


async def test_the_standard_policy_is_there_from_the_start(sla: RunningService) -> None:
    standard = (await sla.http.get("/policies/standard")).json()
    on_site = [t for t in standard["policy"]["targets"] if t["clock"] == "on_site"]
    assert on_site == [
        {
            "clock": "on_site",
            "minutes": 240,
            "non_working_day_minutes": 480,
            "counting": "wall_clock",
            "kinds": ["fault", "warranty_repair"],
            "priorities": [],
        }
    ]


async def test_a_policy_is_saved_as_versions_and_a_site_follows_it(seeded: World, sla: RunningService) -> None:
    code = f"gold-{uuid.uuid4().hex[:6]}"
    site = f"S{uuid.uuid4().hex[:6].upper()}"
    assert (await sla.http.put(f"/policies/{code}", json=GOLD)).json() == {"code": code, "version": 1}
    assert (await sla.http.put(f"/policies/{code}", json={**GOLD, "warn_at": [0.75]})).json()["version"] == 2
    assert (await sla.http.get(f"/policies/{code}")).json()["policy"]["warn_at"] == [0.75]
    refused = await sla.http.put(f"/sites/{site}/policy", json={"policy": code})
    assert (refused.status_code, refused.json()["error"]) == (404, "unknown_site")  # until intake describes it
    await send_envelopes(seeded.amqp_url, [seal(_described(site), producer="intake", correlation_id=site)])

    async def put_under_gold() -> bool:
        return (await sla.http.put(f"/sites/{site}/policy", json={"policy": code})).status_code == 200

    await eventually(put_under_gold, what="the site known from site.described")
    assert (await sla.http.get(f"/sites/{site}/policy")).json() == {"site_code": site, "policy": code}

    opened = opened_envelope(site_code=site, reported_at=datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))
    await send_envelopes(seeded.amqp_url, [opened])
    ticket = opened.payload.ticket_id

    async def clocks() -> dict[str, dict]:
        found = await sla.http.get(f"/tickets/{ticket}/clocks")
        assert found.status_code == 200
        return {c["clock"]: c for c in found.json()}

    shown = await eventually(clocks)
    assert set(shown) == {"on_site", "resolution"}  # gold names no response clock
    assert (shown["on_site"]["policy"], shown["on_site"]["target_minutes"]) == (f"{code} v2", 120)
    # 540 business minutes from Wednesday 10:00 skip Friday 27th, the customer's own day off.
    assert datetime.fromisoformat(shown["resolution"]["due_at"]) == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"warn_at": [1.5]}, "warning shares lie strictly between 0 and 1"),
        (
            {"targets": [{"clock": "coffee", "minutes": 5}]},
            "targets.0.clock: Input should be 'response', 'on_site' or 'resolution'",
        ),
        ({"targets": [{"clock": "on_site", "minutes": 0}]}, "targets.0.minutes: Input should be greater than 0"),
        ({"business_start": "18:00", "business_end": "09:00"}, "business hours must end after they start"),
        (
            {"targets": [{"clock": "on_site", "minutes": 10**18}]},
            "targets.0.minutes: Input should be less than or equal to 527040",
        ),
        ({"calendar": "XX"}, "no official calendar 'XX'"),
        ({"business_end": "18:00+08:00"}, "business hours are the site's local times"),
        (
            {"pauses": {"coffee_break": ["on_site"]}},
            "pauses.coffee_break.[key]: Input should be 'waiting_for_customer'",
        ),
        ({"targets": []}, "targets: Tuple should have at least 1 item"),
    ],
)
async def test_a_policy_that_makes_no_sense_is_refused_and_nothing_saved(
    sla: RunningService, change: dict, message: str
) -> None:
    code = f"bad-{uuid.uuid4().hex[:6]}"
    response = await sla.http.put(f"/policies/{code}", json={**GOLD, **change})
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert (await sla.http.get(f"/policies/{code}")).status_code == 404


async def test_a_site_cannot_be_put_under_a_policy_that_does_not_exist(sla: RunningService) -> None:
    response = await sla.http.put("/sites/HH138/policy", json={"policy": "platinum"})
    assert (response.status_code, response.json()["error"]) == (422, "unknown_policy")


async def test_a_site_nobody_loaded_or_described_cannot_be_given_a_policy(sla: RunningService) -> None:
    response = await sla.http.put("/sites/HH999/policy", json={"policy": "standard"})
    assert (response.status_code, response.json()["error"]) == (404, "unknown_site")
    assert (await sla.http.get("/sites/HH999/policy")).json()["policy"] == "standard"  # nothing stored


def _described(site: str) -> SiteDescribed:
    return SiteDescribed(
        site_code=site, name=f"Site {site}", address="1 Test Road", timezone="Asia/Shanghai", customer="Test Co",
        representative=None, contract_code=None,
    )  # fmt: skip


async def test_the_calendar_a_policy_counts_on(sla: RunningService) -> None:
    october = (await sla.http.get("/policies/standard/calendar", params={"month": "2026-10"})).json()
    assert [f"2026-10-0{d}" for d in range(1, 8)] == [d for d in october["days_off"] if d <= "2026-10-07"]
    assert october["weekend_working_days"] == ["2026-10-10"]


async def test_the_monthly_report_counts_what_was_kept_and_shows_the_worst_misses(
    seeded: World, sla: RunningService
) -> None:
    site = f"R{uuid.uuid4().hex[:6].upper()}"
    start = datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI)  # a Wednesday: 4 hours to be on site
    opened = [opened_envelope(site_code=site, reported_at=start + timedelta(days=n)) for n in range(3)]
    in_time, late, never = (e.payload.ticket_id for e in opened)
    arrivals = [
        TicketOnSite(ticket_id=in_time, engineer_id="E01", arrived_at=start + timedelta(hours=3)),
        TicketOnSite(ticket_id=late, engineer_id="E01", arrived_at=start + timedelta(days=1, hours=6)),
    ]
    await send_envelopes(
        seeded.amqp_url, [*opened, *(seal(a, producer="dispatch", correlation_id=a.ticket_id) for a in arrivals)]
    )

    async def reported() -> dict:
        # The scheduler may announce both arrivals' clocks breached before the arrivals are read
        # (their deadlines are long past); the first arrival then corrects its clock to met, the
        # second stops its clock 2 hours late. Wait for that settled state.
        report = (await sla.http.get("/reports/monthly", params={"site_code": site, "month": "2026-09"})).json()
        on_site = dict(report["clocks"]["on_site"])
        worst = on_site.pop("worst_breaches")
        assert on_site.pop("breached_tickets") == sorted([never, late])
        assert on_site == {"clocks": 3, "met": 1, "breached": 2, "running": 0, "compliance_percent": 33.3}
        assert [(b["ticket_id"], b["stopped_at"] is not None) for b in worst] == [(never, False), (late, True)]
        return report

    report = await eventually(reported)
    assert report["tickets"] == 3
    # Still not there beats 2 hours late.
    assert report["clocks"]["on_site"]["worst_breaches"][1]["late_minutes"] == 120
    empty = (await sla.http.get("/reports/monthly", params={"site_code": site, "month": "2026-08"})).json()
    assert (empty["tickets"], empty["clocks"]["on_site"]["compliance_percent"]) == (0, None)
