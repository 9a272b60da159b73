"""Input a hostile or careless client sends gets a 4xx problem that says what is wrong, never a 500,
and nothing of it is stored: impossible months and years, NUL characters anywhere, bodies past the
limit sent without a length, events past their contracts' bounds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from shared.contracts.bounds import MAX_TEXT
from shared.messaging.dead_letters import DeadLetter, list_dead_letters
from testkit.broker import send
from testkit.in_process import RunningService, running
from testkit.samples import opened_at_load_site
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture(scope="module")
async def suite(seeded: World) -> AsyncIterator[dict[str, RunningService]]:
    async with running(seeded, "intake", "dispatch", "sla", "archive") as services:
        yield services


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "9999-12", "1999-12", "26-1", "2026-1x", "2026-11\n", "٢٠٢٦-١١"]
)
async def test_impossible_months_are_refused_with_what_is_allowed(suite: dict[str, RunningService], month: str) -> None:
    asked = [
        await suite["sla"].http.get("/reports/monthly", params={"site_code": "HH138", "month": month}),
        await suite["sla"].http.get("/reports/vendors", params={"month": month}),
        await suite["sla"].http.get("/policies/standard/calendar", params={"month": month}),
        await suite["dispatch"].http.get("/reports/tickets", params={"site_code": "HH138", "month": month}),
    ]
    for answer in asked:
        assert answer.status_code == 422, (answer.request.url, answer.text)
        assert answer.json()["error"] == "invalid_request"
        assert "month 01 to 12" in answer.json()["detail"]


async def test_a_month_at_the_end_of_a_year_and_of_the_allowed_range_is_answered(
    suite: dict[str, RunningService],
) -> None:
    december = await suite["sla"].http.get("/policies/standard/calendar", params={"month": "2999-12"})
    assert december.status_code == 200, december.text
    assert "2999-12-25" not in december.json()["days_off"]  # a working Wednesday there, counted to the 31st
    report = await suite["sla"].http.get("/reports/monthly", params={"site_code": "HH138", "month": "2026-12"})
    assert report.status_code == 200, report.text


@pytest.mark.parametrize("year", ["2147483648", "-1", "1999", "3000"])
async def test_years_past_the_range_are_refused(suite: dict[str, RunningService], year: str) -> None:
    for answer in (
        await suite["archive"].http.get("/documents", params={"year": year}),
        await suite["archive"].http.get("/sites/HH138/catalogue", params={"year": year}),
        await suite["dispatch"].http.get("/sites/HH138/reviews", params={"year": year}),
    ):
        assert answer.status_code == 422, (answer.request.url, answer.text)
        assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("sla", "/tickets/%00/clocks"),
        ("dispatch", "/tickets/HH138%00/history"),
        ("intake", "/tickets/%00"),
        ("archive", "/documents?ticket_id=%00"),
        ("archive", "/sites/HH138%00/catalogue"),
    ],
)
async def test_a_nul_character_in_the_url_is_a_422(suite: dict[str, RunningService], service: str, path: str) -> None:
    answer = await suite[service].http.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "NUL" in answer.json()["detail"]


async def test_a_nul_character_in_a_request_body_is_a_422_and_nothing_is_opened(
    suite: dict[str, RunningService],
) -> None:
    request = {
        "site_code": "HH138",
        "subsystem": "bgm",
        "channel": "hotline",
        "description": "Zone 3 speakers \u0000 silent",
        "reporter": {"name": "Mall \u0000 duty desk"},
    }
    answer = await suite["intake"].http.post("/requests", json=request)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] in ("invalid_request", "invalid_value")


async def test_a_chunked_body_past_the_limit_is_refused_unread(suite: dict[str, RunningService]) -> None:
    policy = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(policy), 16384):
            yield policy[start : start + 16384]

    answer = await suite["sla"].http.put(
        "/policies/huge", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text
    assert (await suite["sla"].http.get("/policies/huge")).status_code == 404


async def test_an_event_past_its_contracts_bounds_is_dead_lettered_with_the_field_by_every_consumer(
    suite: dict[str, RunningService], seeded: World
) -> None:
    """Under the broker's 1 MiB cap, but a description of 20,000 characters where the contract carries
    8,000: nothing is stored from it, and each queue says why it refused it."""
    envelope = json.loads(opened_at_load_site().model_dump_json())
    envelope["payload"]["description"] = "speakers crackle " * 1200
    await send(
        seeded.amqp_url, json.dumps(envelope).encode(), routing_key="ticket.opened", message_id=envelope["message_id"]
    )

    for queue in ("dispatch.inbox", "sla.inbox", "archive.inbox"):

        async def refused_by(queue: str = queue) -> DeadLetter | None:
            letters = await list_dead_letters(seeded.amqp_url, queue, limit=1000)
            return next((letter for letter in letters if letter.message_id == envelope["message_id"]), None)

        letter = await eventually(refused_by, timeout=60, interval=0.5, what=f"{queue} refusing it")
        assert letter is not None
        assert "description" in letter.detail, letter.detail
        assert str(MAX_TEXT) in letter.detail, letter.detail
    ticket = await suite["dispatch"].http.get(f"/tickets/{envelope['payload']['ticket_id']}")
    assert ticket.status_code == 404
