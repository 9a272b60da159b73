"""The intake API over the real database: good requests open tickets, repeats join them, and bad
input is refused with a message a person can act on and nothing written."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.intake.db.tables import outbox, service_requests
from testkit.in_process import RunningService, running
from testkit.world import World

GOOD = {
    "site_code": "HH138",
    "subsystem": "av",
    "asset_tag": "HH138-AV-PRJ-01",
    "description": "Projector in the event hall shows no picture",
    "channel": "email",
    "reporter": {"name": "Mr. Zhou", "email": "zhou@example.com"},
}


@pytest.fixture
async def intake(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "intake") as suite:
        yield suite["intake"]


async def _written(intake: RunningService) -> tuple[int, int]:
    async with intake.runtime.engine.connect() as connection:
        requests = (await connection.execute(select(func.count()).select_from(service_requests))).scalar_one()
        events = (await connection.execute(select(func.count()).select_from(outbox))).scalar_one()
    return requests, events


def _unique(**changes: object) -> dict:
    """A good request no earlier test has submitted (so it is not joined to their ticket)."""
    return {**GOOD, "description": f"{GOOD['description']} ({uuid.uuid4().hex[:6]})", **changes}


async def test_a_request_opens_a_ticket_and_one_event(intake: RunningService) -> None:
    before = await _written(intake)
    response = await intake.http.post("/requests", json=_unique())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "opened"
    assert body["kind"] == "fault"
    assert await _written(intake) == (before[0] + 1, before[1] + 1)
    stored = (await intake.http.get(f"/tickets/{body['ticket_id']}")).json()
    assert stored["channel"] == "email"
    assert stored["asset_tag"] == "HH138-AV-PRJ-01"


async def test_the_same_request_id_returns_the_same_ticket(intake: RunningService) -> None:
    request = _unique(request_id=f"MAIL-{uuid.uuid4()}")
    first = await intake.http.post("/requests", json=request)
    before = await _written(intake)
    again = await intake.http.post("/requests", json=request)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket_id"] == first.json()["ticket_id"]
    assert again.json()["joined_because"] == "request_id"
    assert await _written(intake) == before


@pytest.mark.parametrize(
    "changed", [{"site_code": "HH138"}, {"subsystem": "control"}, {"priority": "critical"}, {"description": "other"}]
)
async def test_a_request_id_sent_again_with_other_content_is_a_409(intake: RunningService, changed: dict) -> None:
    # At the load-test site, whose engineers have room for every ticket tests leave open.
    request = {
        "site_code": "LOAD1", "subsystem": "bgm", "channel": "email", "reporter": {"name": "Mail gateway"},
        "description": f"Zone 2 hum ({uuid.uuid4().hex[:6]})", "request_id": f"MAIL-{uuid.uuid4()}",
    }  # fmt: skip
    first = await intake.http.post("/requests", json=request)
    before = await _written(intake)
    again = await intake.http.post("/requests", json={**request, **changed})
    assert (first.status_code, again.status_code) == (201, 409), again.text
    assert again.json()["error"] == "request_id_reused"
    assert "sent before with other content" in again.json()["detail"]
    assert await _written(intake) == before


async def test_a_repeat_of_the_same_problem_joins_the_open_ticket(intake: RunningService) -> None:
    request = _unique()
    first = await intake.http.post("/requests", json=request)
    repeat = await intake.http.post("/requests", json={**request, "description": request["description"].upper()})
    assert repeat.status_code == 200
    assert repeat.json() | {"status": None} == first.json() | {"status": None, "joined_because": "repeat"}
    assert (await intake.http.get(f"/tickets/{first.json()['ticket_id']}")).json()["repeat_count"] == 1


async def test_concurrent_identical_submissions_open_one_ticket(intake: RunningService) -> None:
    import asyncio

    request = _unique()
    responses = await asyncio.gather(*(intake.http.post("/requests", json=request) for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["ticket_id"] for r in responses}) == 1


BAD_REQUESTS = [
    pytest.param({k: v for k, v in GOOD.items() if k != "site_code"}, 422, "site_code: Field required", id="missing"),
    pytest.param(
        _unique(site_code="XX999"),
        422,
        "site 'XX999' is not under a maintenance contract; known sites: HH138",
        id="unknown-site",
    ),
    pytest.param(
        _unique(subsystem="lighting"),
        422,
        "has no subsystem 'lighting'; it has: av, bgm, control, service, signage",
        id="unknown-subsystem",
    ),
    pytest.param(
        _unique(asset_tag="HH138-BGM-AMP-01"), 422, "belongs to subsystem 'bgm', not 'av'", id="device-elsewhere"
    ),
    pytest.param(
        _unique(description="x" * 4001), 422, "description: String should have at most 4000 characters", id="oversized"
    ),
    pytest.param(_unique(description="   "), 422, "description: String should have at least 1 character", id="blank"),
    pytest.param(_unique(reporter="Mr. Zhou"), 422, "reporter: Input should be a valid dictionary", id="wrong-type"),
    pytest.param(
        _unique(channel="fax"),
        422,
        "channel: Input should be 'hotline', 'email', 'on_site', 'inspection' or 'portal'",
        id="bad-enum",
    ),
    pytest.param(
        _unique(reported_at="2026-11-25T10:00:00"), 422, "reported_at: Input should have timezone info", id="naive-time"
    ),
    pytest.param(
        _unique(reported_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()), 422, "is in the future", id="future"
    ),
    pytest.param(_unique(reported_at="0001-01-01T00:00:00+00:00"), 422, "more than 30 days ago", id="year-one"),
]


@pytest.mark.parametrize(("body", "status", "message"), BAD_REQUESTS)
async def test_bad_input_is_refused_with_an_actionable_message_and_nothing_written(
    intake: RunningService, body: dict, status: int, message: str
) -> None:
    before = await _written(intake)
    response = await intake.http.post("/requests", json=body)
    assert response.status_code == status, response.text
    assert message in response.json()["message"]
    assert response.json()["error"]
    assert await _written(intake) == before


async def test_a_body_that_is_not_json_or_too_large_is_refused(intake: RunningService) -> None:
    before = await _written(intake)
    not_json = await intake.http.post(
        "/requests", content=b"{site_code: HH138", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert "JSON decode error" in not_json.json()["message"]
    huge = await intake.http.post("/requests", content=b"x" * 70_000, headers={"content-type": "application/json"})
    assert huge.status_code == 413
    assert "limited to 65536 bytes" in huge.json()["message"]
    assert await _written(intake) == before


async def test_an_unknown_ticket_is_a_404_that_says_so(intake: RunningService) -> None:
    response = await intake.http.get("/tickets/HH138-20000101-0001")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:aftercare:problem:unknown_ticket",
        "title": "Not Found",
        "status": 404,
        "detail": "intake has no ticket 'HH138-20000101-0001'",
        "error": "unknown_ticket",
        "message": "intake has no ticket 'HH138-20000101-0001'",
    }


async def test_a_complaint_or_a_question_may_be_about_the_service_as_a_whole(intake: RunningService) -> None:
    """No subsystem (or `service`): the service itself, for a complaint or a question; a fault names its
    system, and nothing of the register belongs to the service."""
    complaint = await intake.http.post(
        "/requests", json=_unique(subsystem=None, asset_tag=None, kind="complaint", description="工程师态度很差")
    )
    assert complaint.status_code == 201, complaint.text
    stored = (await intake.http.get(f"/tickets/{complaint.json()['ticket_id']}")).json()
    assert (stored["subsystem"], stored["kind"]) == ("service", "complaint")
    assert stored["coverage"]["basis"] != "chargeable"  # what the contract buys, whatever systems it covers
    question = await intake.http.post(
        "/requests", json=_unique(subsystem="service", asset_tag=None, kind="consultation", description="合同何时续签")
    )
    assert question.status_code == 201, question.text

    before = await _written(intake)
    for wrong, error in (
        ({"subsystem": None, "asset_tag": None, "kind": "fault"}, "subsystem_required"),
        ({"subsystem": "service", "asset_tag": None, "description": "功放坏了 no sound at all"}, "subsystem_required"),
        ({"subsystem": "service", "kind": "complaint"}, "device_subsystem_mismatch"),  # with the projector
    ):
        refused = await intake.http.post("/requests", json=_unique(**wrong))
        assert (refused.status_code, refused.json()["error"]) == (422, error), refused.text
    assert await _written(intake) == before
    site = next(s for s in (await intake.http.get("/sites")).json() if s["code"] == "HH138")
    assert site["subsystems"][-1] == "service"
    assert site["subsystem_names"]["service"] == {"name": "The service as a whole", "local_name": "服务（综合）"}
