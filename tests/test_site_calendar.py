"""One site calendar, owned by the SLA policy, over the real broker and database (issue 25): a day off
in the site's contract reaches dispatch and the vendor service as `sla.site_calendar`, and moves a
follow-up call's due date, an inspection visit's window and a vendor partner's repair deadline alike
(in the request the partner receives and in the SLA service's clock for it). A policy's new version is
told to every site under it, and an operator can tell every site's calendar again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

import services
from services.dispatch.followups.domain.followup import due_at
from services.dispatch.inspections.domain import due_by, scheduled_on
from services.sla.db import sites as sla_sites
from services.sla.db.tables import sites as sla_site_rows
from services.sla.domain.policy import DEFAULT_POLICY, STANDARD_POLICY
from services.sla.site_calendars import publish_every_site, publish_untold
from shared.calendar import FALLBACK_SITE_CALENDAR, SiteCalendar
from shared.contracts.partners import EscalationReason
from shared.contracts.sla import VendorClock
from shared.persistence.database import create_engine
from shared.service import database_of
from shared.vendor_agreements import vendor_deadlines
from testkit.broker import EventTap, send_envelopes
from testkit.database import fetch_all, produced
from testkit.escalations import accepted_fault, escalate, partner_clocks, vendor_knows
from testkit.in_process import RunningService, running
from testkit.partners import AGREEMENT, onboarded
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the demo site's, and so its copies'


def _closure(*days: date) -> SiteCalendar:
    """China's calendar with the customer's own closure on the first working day after each of `days`."""
    official = FALLBACK_SITE_CALENDAR.business_calendar()
    return SiteCalendar(days_off=frozenset(official.next_working_day(day) for day in days))


async def _put_under_closure(world: World, sla: Any, site: str, closure: SiteCalendar) -> int:
    """Put the site under a policy of its own, the standard one with the closure; the calendar's revision."""
    policy = STANDARD_POLICY.model_copy(update={"name": f"{site} with its closure", "days_off": closure.days_off})
    saved = await sla.put(f"/policies/{site}-closure", json=policy.model_dump(mode="json"))
    assert saved.status_code == 200, saved.text
    put = await sla.put(f"/sites/{site}/policy", json={"policy": f"{site}-closure"})
    assert put.status_code == 200, put.text
    sites = services.definition("sla").metadata.tables["sla.sites"]
    [row] = await fetch_all(world, select(sites.c.calendar_revision).where(sites.c.code == site))
    return int(row.calendar_revision)


async def _kept_by(world: World, service: str, site: str, revision: int) -> SiteCalendar:
    """Wait until `service` keeps the site's calendar of `revision` (or newer); that calendar."""
    table = services.definition(service).metadata.tables[f"{service}.site_calendars"]

    async def kept() -> SiteCalendar:
        rows = await fetch_all(world, select(table.c.revision, table.c.calendar).where(table.c.site_code == site))
        assert rows, f"{service} keeps no calendar of {site} yet"
        assert rows[0].revision >= revision, rows
        return SiteCalendar.model_validate(rows[0].calendar)

    return await eventually(kept, what=f"{service} kept the calendar of {site}")


async def _resolved_follow_up(world: World, dispatch: RunningService, tap: EventTap, site: str) -> tuple[datetime, str]:
    """A fault at the site, accepted, on site and resolved ten minutes ago: when, and its follow-up's due time."""
    reported = datetime.now(UTC) - timedelta(hours=1)
    envelope = opened_envelope(site_code=site, reported_at=reported)
    ticket = envelope.payload.ticket_id
    await send_envelopes(world.amqp_url, [envelope])
    await tap.wait_for("ticket.assigned", ticket)
    for action, minutes, body in (("accept", 5, {}), ("arrive", 40, {}), ("resolve", 50, {"summary": "Fuse replaced"})):
        at = (reported + timedelta(minutes=minutes)).isoformat()
        answer = await dispatch.http.post(f"/tickets/{ticket}/{action}", json={"at": at, **body})
        assert answer.status_code == 200, answer.text
    [due] = await tap.wait_for("followup.due", ticket)
    return reported + timedelta(minutes=50), due["payload"]["due_at"]


def _plan(site: str, today: date) -> dict[str, Any]:
    return {
        "subsystem": "bgm",
        "title": "Daily check",
        "repeat": "FREQ=DAILY",
        "starts_on": today.isoformat(),
        "window_working_days": 2,
        "checklist": [{"code": "amp", "text": "Amplifier on", "asset_tag": f"{site}-BGM-AMP-01"}],
    }


async def test_a_contract_day_off_moves_the_follow_up_the_inspection_and_the_repair_deadline_alike(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded)
    async with (
        onboarded(seeded) as partner,
        running(seeded, "intake", "dispatch", "sla", "vendor", recurring_interval_seconds=0.3) as suite,
    ):
        sla, vendor, dispatch = suite["sla"].http, suite["vendor"].http, suite["dispatch"]
        today = datetime.now(SHANGHAI).date()
        resolved_on = (datetime.now(UTC) - timedelta(minutes=10)).astimezone(SHANGHAI).date()
        closure = _closure(today, resolved_on)
        revision = await _put_under_closure(seeded, sla, site, closure)
        [told] = [e for e in await tap.wait_for("sla.site_calendar", f"{site}-calendar", count=2)
                  if e["payload"]["revision"] == revision]  # fmt: skip
        assert SiteCalendar.model_validate(told["payload"]["calendar"]) == closure
        assert (told["payload"]["timezone"], told["payload"]["policy"]) == ("Asia/Shanghai", f"{site}-closure")
        assert await _kept_by(seeded, "dispatch", site, revision) == closure
        assert await _kept_by(seeded, "vendor", site, revision) == closure
        on_closure, official = closure.business_calendar(), FALLBACK_SITE_CALENDAR.business_calendar()

        # The follow-up call: one working day after the resolution, the closure skipped.
        resolved_at, due = await _resolved_follow_up(seeded, dispatch, tap, site)
        opens, closes = closure.business_start, closure.business_end  # the site's own hours
        expected = due_at(resolved_at, "Asia/Shanghai", on_closure, opens=opens, closes=closes)
        elsewise = due_at(resolved_at, "Asia/Shanghai", official, opens=opens, closes=closes)
        assert datetime.fromisoformat(due) == expected != elsewise

        # The inspection: its day and its window of two working days, the closure skipped.
        code = f"{site}-BGM-D"
        answer = await dispatch.http.put(f"/sites/{site}/inspection-plans/{code}", json=_plan(site, today))
        assert answer.status_code == 200, answer.text

        async def opened() -> list[dict[str, Any]]:
            return [e for e in tap.events("inspection.visit_opened") if e["payload"]["plan_code"] == code]

        [visit] = await eventually(opened, what="the inspection visit opened")
        day = scheduled_on(today, on_closure)
        window = (day, due_by(day, 2, on_closure))
        assert window == (
            date.fromisoformat(visit["payload"]["scheduled_on"]),
            date.fromisoformat(visit["payload"]["due_by"]),
        )
        official_day = scheduled_on(today, official)
        assert window != (official_day, due_by(official_day, 2, official))

        # The partner's repair: its working days counted on the same calendar, in the request and in the
        # SLA service's clock for it.
        await vendor_knows(vendor, site)
        ticket = await accepted_fault(suite["intake"].http, dispatch.http, tap, site)
        escalated = await escalate(dispatch.http, ticket, partner.code, findings="DSP reboots under load")
        assert escalated.status_code == 200, escalated.text
        [request] = await partner.take_requests(1)
        sent_at = datetime.fromisoformat(request["payload"]["sent_at"])
        repaired_by = datetime.fromisoformat(request["payload"]["deadlines"]["repaired_by"])

        def repair_due(calendar: SiteCalendar) -> datetime:
            deadlines = vendor_deadlines(
                AGREEMENT, EscalationReason.REPAIR, sent_at, "Asia/Shanghai",
                calendar.business_calendar(), calendar.business_end,
            )  # fmt: skip
            return deadlines[VendorClock.REPAIR]

        assert repaired_by == repair_due(closure) != repair_due(FALLBACK_SITE_CALENDAR)

        async def repair_clock() -> dict[str, Any]:
            return (await partner_clocks(sla, ticket)).get("vendor_repair", {})

        clock = await eventually(repair_clock, what="the SLA service's clock of the repair")
        assert datetime.fromisoformat(clock["due_at"]) == repaired_by


async def test_a_new_policy_version_tells_each_of_its_sites_and_an_operator_tells_them_all_again(
    seeded: World, tap: EventTap
) -> None:
    first, second = await fresh_site(seeded, names=("sla",)), await fresh_site(seeded, names=("sla",))
    async with running(seeded, "sla") as suite:
        sla = suite["sla"].http
        policy = STANDARD_POLICY.model_copy(update={"name": "Shared by two sites"})
        code = f"{first}-shared"
        assert (await sla.put(f"/policies/{code}", json=policy.model_dump(mode="json"))).status_code == 200
        for site in (first, second):
            assert (await sla.put(f"/sites/{site}/policy", json={"policy": code})).status_code == 200
            await tap.wait_for("sla.site_calendar", f"{site}-calendar", count=2)  # known, then put under it

        closed = policy.model_copy(update={"days_off": frozenset({date(2031, 5, 6)})})
        assert (await sla.put(f"/policies/{code}", json=closed.model_dump(mode="json"))).status_code == 200
        for site in (first, second):
            told = await tap.wait_for("sla.site_calendar", f"{site}-calendar", count=3)
            newest = max(told, key=lambda e: e["payload"]["revision"])["payload"]
            assert (newest["revision"], newest["policy_version"], newest["calendar"]["days_off"]) == (
                3,
                2,
                ["2031-05-06"],
            )

        engine = create_engine(seeded.database_url, pool_size=1)
        try:
            again = await publish_every_site(database_of(services.definition("sla"), engine), now=datetime.now(UTC))
        finally:
            await engine.dispose()
        assert {first, second} <= set(again)
        for site in (first, second):
            told = await tap.wait_for("sla.site_calendar", f"{site}-calendar", count=4)
            assert max(e["payload"]["revision"] for e in told) == 4


async def test_the_default_policys_sites_are_those_put_under_no_other(seeded: World) -> None:
    """A new version of the standard policy is told to every site not put under another one."""
    unassigned, assigned = await fresh_site(seeded, names=("sla",)), await fresh_site(seeded, names=("sla",))
    async with running(seeded, "sla") as suite:
        sla = suite["sla"].http
        own = STANDARD_POLICY.model_copy(update={"name": "Of one site"})
        assert (await sla.put(f"/policies/{assigned}-own", json=own.model_dump(mode="json"))).status_code == 200
        assert (await sla.put(f"/sites/{assigned}/policy", json={"policy": f"{assigned}-own"})).status_code == 200
    engine = create_engine(seeded.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            under_standard = await sla_sites.sites_under_policy(connection, DEFAULT_POLICY)
            under_own = await sla_sites.sites_under_policy(connection, f"{assigned}-own")
    finally:
        await engine.dispose()
    assert (unassigned in under_standard, assigned in under_standard, under_own) == (True, False, [assigned])


async def test_sites_known_before_calendars_were_told_are_told_once_when_the_sla_service_starts(
    seeded: World, tap: EventTap
) -> None:
    """An upgraded deployment: the SLA service knew sites before it told calendars. Two processes tell
    each such site once; a starting service tells them by itself."""
    raced, at_start = f"U{uuid.uuid4().hex[:6].upper()}", f"U{uuid.uuid4().hex[:6].upper()}"
    engines = [create_engine(seeded.database_url, pool_size=2) for _ in range(2)]
    try:
        async with engines[0].begin() as connection:
            await connection.execute(sla_site_rows.insert().values(code=raced, timezone="Asia/Shanghai"))
        databases = [database_of(services.definition("sla"), engine) for engine in engines]
        told = await asyncio.gather(*(publish_untold(db, now=datetime.now(UTC)) for db in databases))
        assert [site for each in told for site in each if site == raced] == [raced]
        [once] = await produced(seeded, "sla", "sla.site_calendar", correlation_id=f"{raced}-calendar")
        assert once.payload["revision"] == 1
        async with engines[0].begin() as connection:
            await connection.execute(sla_site_rows.insert().values(code=at_start, timezone="Asia/Shanghai"))
    finally:
        for engine in engines:
            await engine.dispose()
    async with running(seeded, "sla"):
        [event] = await tap.wait_for("sla.site_calendar", f"{at_start}-calendar")
    assert (event["payload"]["revision"], event["payload"]["calendar"]["country"]) == (1, "CN")
