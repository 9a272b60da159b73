"""One service request through all five services, over the real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime

import services
from testkit.broker import EventTap
from testkit.documents import pdf_text
from testkit.in_process import running
from testkit.waiting import eventually
from testkit.world import World

REQUEST = {
    "site_code": "HH138",
    "subsystem": "bgm",
    "asset_tag": "HH138-BGM-AMP-01",
    "description": "No background music in the L1 atrium since 9am",
    "channel": "hotline",
    "reporter": {"name": "Ms. Xu", "phone": "+86 21 5555 0101"},
    "reported_at": "2026-09-09T10:00:00+08:00",  # a Wednesday: a working day, before the make-up Saturday scripts/test-on-day tries
}
BACKLOG = {"max_report_age_days": 3650}  # the dates above are fixed, and intake takes them however old


async def test_a_request_is_opened_assigned_clocked_and_archived(seeded: World, tap: EventTap) -> None:
    async with running(seeded, *services.NAMES, **BACKLOG) as suite:
        response = await suite["intake"].http.post("/requests", json={**REQUEST, "request_id": str(uuid.uuid4())})
        assert response.status_code == 201, response.text
        ticket = response.json()["ticket_id"]
        assert re.fullmatch(r"HH138-\d{8}-\d{4}", ticket), ticket  # site, day of receipt, sequence
        assert response.json()["kind"] == "fault"

        opened = (await tap.wait_for("ticket.opened", ticket))[0]
        assigned = (await tap.wait_for("ticket.assigned", ticket))[0]
        [clocked] = await tap.wait_for("sla.clocks_started", ticket)  # the three clocks in one event
        filed = await tap.wait_for("document.archived", ticket, count=2)  # the request's record, the dispatch order
        archived = next(e for e in filed if e["payload"]["category"] == "REC")

        # Causation: each downstream event names ticket.opened as its cause, and carries the ticket.
        for event in (assigned, clocked, archived):
            assert event["causation_id"] == opened["message_id"]
            assert event["correlation_id"] == ticket
        assert opened["producer"] == "intake"
        assert opened["payload"]["device"]["model"] == "Bosch PLENA PLE-2MA240"

        dispatch = (await suite["dispatch"].http.get(f"/tickets/{ticket}")).json()
        assert dispatch["status"] == "assigned"
        assert dispatch["engineer_id"] == "E01"  # owner of bgm at HH138
        assert dispatch["rule"] == "subsystem_owner"
        assert assigned["payload"]["engineer_id"] == "E01"

        clocks = {c["clock"]: c for c in (await suite["sla"].http.get(f"/tickets/{ticket}/clocks")).json()}
        assert set(clocks) == {"response", "on_site", "resolution"}
        assert [c["clock"] for c in clocked["payload"]["clocks"]] == ["response", "on_site", "resolution"]
        assert tap.of_type("sla.clock_started", ticket) == []
        on_site = clocks["on_site"]
        assert (on_site["target_minutes"], on_site["day_type"], on_site["policy"]) == (
            240,
            "working_day",
            "standard v1",
        )
        assert datetime.fromisoformat(on_site["due_at"]) == datetime(2026, 9, 9, 6, 0, tzinfo=UTC)

        documents = (await suite["archive"].http.get("/documents", params={"ticket_id": ticket})).json()
        assert sorted(d["category"] for d in documents) == ["DSP", "REC"]
        documents = [d for d in documents if d["category"] == "REC"]
        code = documents[0]["code"]
        assert code.startswith("HH138-2026-REC-")
        assert archived["payload"]["document_code"] == code
        content = await suite["archive"].http.get(f"/documents/{code}/content")
        assert hashlib.sha256(content.content).hexdigest() == documents[0]["sha256"] == archived["payload"]["sha256"]
        pdf = await suite["archive"].http.get(f"/documents/{code}/pdf")  # typeset by now, or at once
        assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
        listed = (await suite["archive"].http.get("/documents", params={"ticket_id": ticket})).json()
        typeset = next(d for d in listed if d["code"] == code)
        assert pdf.headers["etag"] == f'"{hashlib.sha256(pdf.content).hexdigest()}"' == f'"{typeset["pdf_sha256"]}"'
        assert ticket in pdf_text(pdf.content)

        intake = (await suite["intake"].http.get(f"/tickets/{ticket}")).json()
        assert intake["description"] == REQUEST["description"]
        assert (await suite["vendor"].http.get(f"/tickets/{ticket}/escalations")).json() == []

        for service in suite.values():
            ready = await service.http.get("/readyz")
            assert ready.status_code == 200, ready.text


async def test_a_holiday_request_gets_eight_hours(seeded: World, tap: EventTap) -> None:
    async with running(seeded, "intake", "sla", **BACKLOG) as suite:
        holiday = {**REQUEST, "description": "Signage dark on National Day", "subsystem": "signage"}
        holiday.pop("asset_tag")
        holiday["reported_at"] = "2026-10-02T23:30:00+08:00"
        ticket = (await suite["intake"].http.post("/requests", json=holiday)).json()["ticket_id"]
        [started] = await tap.wait_for("sla.clocks_started", ticket)
        clocked = next(c for c in started["payload"]["clocks"] if c["clock"] == "on_site")
        assert (clocked["target_minutes"], clocked["day_type"]) == (480, "holiday")
        assert datetime.fromisoformat(clocked["due_at"]) == datetime(2026, 10, 2, 23, 30, tzinfo=UTC)


async def test_a_complaint_goes_to_the_quality_desk_not_to_an_engineer(seeded: World, tap: EventTap) -> None:
    async with running(seeded, "intake", "dispatch", **BACKLOG) as suite:
        complaint = {
            **REQUEST,
            "subsystem": "av",
            "description": "I want to complain: the engineer left the hall projector worse than before",
        }
        complaint.pop("asset_tag")
        response = await suite["intake"].http.post("/requests", json=complaint)
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == "complaint"
        ticket = response.json()["ticket_id"]
        routed = (await tap.wait_for("complaint.routed", ticket))[0]
        assert routed["payload"]["desk"] == "quality"

        async def routed_in_dispatch() -> bool:
            found = (await suite["dispatch"].http.get(f"/tickets/{ticket}")).json()
            assert found["status"] == "with_quality_desk"
            assert found["engineer_id"] is None
            return True

        await eventually(routed_in_dispatch)
        assert tap.of_type("ticket.assigned", ticket) == []
