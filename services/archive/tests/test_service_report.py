"""The service report over the real broker and database: `GET /reports/service` counts a site's days from
the archive's timeline, `GET /reports/service.pdf` typesets the same figures as the Chinese 服务月报, and a
customer's representative reads their own site's only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts import (
    ClockKind,
    DeviceRef,
    Envelope,
    FollowUpRecorded,
    SiteDescribed,
    SlaBreached,
    SubsystemNamed,
    TicketAssigned,
    seal,
)
from shared.identity import Role
from testkit.broker import send_envelopes
from testkit.documents import pdf_text
from testkit.identities import bearer
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World


async def test_a_sites_report_of_its_days_as_json_and_as_the_chinese_pdf(seeded: World) -> None:
    site = f"R{uuid.uuid4().hex[:6].upper()}"
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    described = SiteDescribed(
        site_code=site, name="Infinity Mall", local_name="无限广场", address="138 Huaihai Middle Road",
        timezone="Asia/Shanghai", customer="上海无限商业管理有限公司", representative=None, contract_code=None,
        subsystems=[SubsystemNamed(code="bgm", name="Background music", local_name="背景音乐系统")],
    )  # fmt: skip
    amp = DeviceRef(asset_tag=f"{site}-BGM-AMP-01", serial_number="SN-7", model="PLE-2MA240")
    opened = [
        opened_envelope(f"{site}-000{n}", site_code=site, reported_at=now - timedelta(hours=n), device=amp)
        for n in (1, 2)
    ]
    first = opened[0].payload.ticket_id
    events: list[Envelope[Any]] = [
        seal(described, producer="intake", correlation_id=site),
        *opened,
        seal(
            TicketAssigned(
                ticket_id=first, site_code=site, subsystem="bgm", engineer_id="E07", engineer_name="王磊",
                rule="subsystem_owner", assigned_at=now - timedelta(minutes=50),
            ),
            producer="dispatch", correlation_id=first, occurred_at=now - timedelta(minutes=50),
        ),
        seal(
            SlaBreached(
                ticket_id=first, clock=ClockKind.RESPONSE, cycle=1, due_at=now - timedelta(minutes=30),
                target_minutes=30, breached_at=now - timedelta(minutes=30),
            ),
            producer="sla", correlation_id=first,
        ),
        seal(
            FollowUpRecorded(
                ticket_id=first, site_code=site, cycle=1, attempt=1, reached=True, satisfaction=4, caller="Q",
                called_at=now, outcome="satisfied", late=False,
            ),
            producer="dispatch", correlation_id=first,
        ),
    ]  # fmt: skip
    period = {"site_code": site, "from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    async with running(seeded, "archive") as suite:
        archive = suite["archive"].http
        await send_envelopes(seeded.amqp_url, events)

        async def counted() -> bool:
            answer = await archive.get("/reports/service", params=period)
            return answer.status_code == 200 and answer.json()["follow_ups"]["calls"] == 1

        await eventually(counted, what="the site's events in its report")
        report = (await archive.get("/reports/service", params=period)).json()
        assert report["tickets"]["by_subsystem_and_kind"] == [
            {"subsystem": "bgm", "kind": "fault", "opened": 2, "resolved": 0, "closed": 0}
        ]
        [breach] = report["breaches"]
        assert (breach["ticket_id"], breach["clock"], breach["reason"], breach["engineer_name"]) == (
            first, "response", "not_accepted", "王磊",
        )  # fmt: skip
        assert breach["stopped_at"] is None
        assert breach["late_minutes"] >= 30
        assert [(d["asset_tag"], d["failures"]) for d in report["devices"]] == [(amp.asset_tag, 2)]
        assert report["follow_ups"]["average_satisfaction"] == 4
        assert report["words"]["subsystem"] == {"bgm": "背景音乐系统"}

        pdf = await archive.get("/reports/service.pdf", params=period)
        assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
        assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
        text = pdf_text(pdf.content)
        for said in (
            "服务月报",
            "无限广场",
            "背景音乐系统",
            "工程师尚未接单",
            amp.asset_tag,
            "上海无限商业管理有限公司",
        ):
            assert said in text, said

        customer = bearer("xu.jing", Role.CUSTOMER, site_code=site)
        assert (await archive.get("/reports/service", params=period, headers=customer)).status_code == 200
        other = {**period, "site_code": "HH138"}
        assert (await archive.get("/reports/service.pdf", params=other, headers=customer)).status_code == 403
        engineer = bearer("eng", Role.ENGINEER, engineer_id="E07")
        assert (await archive.get("/reports/service", params=period, headers=engineer)).status_code == 403
        backwards = {**period, "from": period["to"], "to": period["from"]}
        refused = await archive.get("/reports/service", params=backwards)
        assert (refused.status_code, refused.json()["error"]) == (422, "bad_period")
        unknown = await archive.get("/reports/service", params={**period, "site_code": "NOWHERE"})
        assert unknown.status_code == 404
