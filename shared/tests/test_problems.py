"""Every HTTP refusal is a problem (RFC 9457) a caller can act on, and none costs the caller its
connection: unhandled faults, values the database refuses, a database out of reach, bodies past the
limit however they are sent, NUL characters in the URL. Served by uvicorn over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import h11
import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import Column, Text, text

from shared.access import PUBLIC
from shared.contracts import TicketClosed
from shared.http import Database, create_app
from shared.persistence.database import create_engine
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from testkit.identities import PUBLIC_KEY
from testkit.processes import free_port
from testkit.scratch import scratch_service
from testkit.waiting import eventually
from testkit.world import World

router = APIRouter()


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug of ours")


@router.post("/notes")
async def keep_note(request: Request, database: Database) -> dict[str, int]:
    body = await request.json()
    async with database.unit_of_work() as uow:
        await uow.connection.execute(text(f'INSERT INTO "{request.app.state.schema}".effects (note) VALUES (:n)'),
                                     {"n": body["note"]})  # fmt: skip
    return {"kept": len(body["note"])}


@router.get("/count/{n}")
async def count(n: int, database: Database) -> dict[str, int]:
    async with database.connect() as connection:
        return {"n": (await connection.execute(text("SELECT CAST(:n AS int)"), {"n": n})).scalar_one()}


@router.get("/elsewhere")
async def elsewhere() -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere", pool_size=1)
    try:
        async with engine.connect():
            pass
    finally:
        await engine.dispose()


@router.post("/closings")
async def close_ticket(request: Request) -> None:
    """A route whose own model let an over-long id through to the event it builds."""
    TicketClosed(ticket_id=(await request.json())["ticket_id"], closed_at=datetime.now(UTC))


class Note(BaseModel):
    note: str


@router.post("/typed-notes")
async def keep_typed_note(note: Note) -> dict[str, int]:
    return {"kept": len(note.note)}


@router.get("/partner")
async def partner() -> None:
    raise ConnectionRefusedError("a partner's system does not answer")  # a network error, not the database's


@pytest.fixture
async def base_url(world: World) -> AsyncIterator[str]:
    async with scratch_service(world, "problems", Column("note", Text)) as scratch:
        access = {("GET", "/boom"): PUBLIC, ("POST", "/notes"): PUBLIC, ("GET", "/count/{n}"): PUBLIC,
                  ("GET", "/elsewhere"): PUBLIC, ("GET", "/partner"): PUBLIC, ("POST", "/closings"): PUBLIC,
                  ("POST", "/typed-notes"): PUBLIC}  # fmt: skip
        definition = replace(scratch.definition, router=router, access=access, subscriptions=())
        settings = ServiceSettings(database_url=world.database_url, amqp_url=world.amqp_url, auth_public_key=PUBLIC_KEY)
        app = create_app(ServiceRuntime(definition, settings), manage_lifecycle=False)
        app.state.schema = scratch.name
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
        serving = asyncio.create_task(server.serve())

        async def started() -> bool:
            return server.started

        await eventually(started, timeout=30, interval=0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await serving


async def _two_requests_on_one_connection(base_url: str, first: str, second: str) -> list[h11.Response]:
    """GET `first`, read its answer, then GET `second` on the same connection: a server that dropped the
    connection after the first answers nothing to the second."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    client = h11.Connection(h11.CLIENT)
    answers: list[h11.Response] = []
    try:
        for target in (first, second):
            writer.write(client.send(h11.Request(method="GET", target=target, headers=[("Host", host)])) or b"")
            writer.write(client.send(h11.EndOfMessage()) or b"")
            await writer.drain()
            while True:
                event = client.next_event()
                if event is h11.NEED_DATA:
                    client.receive_data(await asyncio.wait_for(reader.read(65536), 10))
                    continue
                if isinstance(event, h11.Response):
                    answers.append(event)
                if isinstance(event, h11.EndOfMessage):
                    client.start_next_cycle()
                    break
                if isinstance(event, h11.ConnectionClosed):
                    return answers
    finally:
        writer.close()
    return answers


async def test_an_unhandled_fault_answers_a_problem_and_keeps_the_connection(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:aftercare:problem:internal_error"
    assert problem["error_id"] in problem["detail"]
    assert "a bug of ours" not in answer.text  # the fault is in the log, not told to the caller
    answers = await _two_requests_on_one_connection(base_url, "/boom", "/healthz")
    assert [a.status_code for a in answers] == [500, 200]


async def test_nul_characters_and_values_the_database_refuses_are_422s(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        in_path = await http.get("/count/%00")
        in_query = await http.get("/count/1", params={"x": "a\x00b"})
        in_body = await http.post("/notes", json={"note": "a NUL \u0000 here"})
        lone_surrogate = await http.post(
            "/notes", content=b'{"note": "half a pair \\ud800"}', headers={"content-type": "application/json"}
        )
        out_of_range = await http.get("/count/2147483648")
        fine = await http.post("/notes", json={"note": "plain"})
    for refused in (in_path, in_query):
        assert (refused.status_code, refused.json()["error"]) == (422, "invalid_request"), refused.text
    assert (in_body.status_code, in_body.json()["error"]) == (422, "invalid_value"), in_body.text
    assert "0x00" in in_body.json()["detail"]
    assert (lone_surrogate.status_code, lone_surrogate.json()["error"]) == (422, "invalid_value"), lone_surrogate.text
    assert (out_of_range.status_code, out_of_range.json()["error"]) == (422, "invalid_value"), out_of_range.text
    assert fine.json() == {"kept": 5}


async def test_a_database_out_of_reach_answers_503_with_retry_after(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.get("/elsewhere")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"] == "database_unavailable"
    async with httpx.AsyncClient(base_url=base_url) as http:
        not_ours = await http.get("/partner")
    assert (not_ours.status_code, not_ours.json()["error"]) == (500, "internal_error")  # not the database


async def test_the_body_limit_counts_the_bytes_read_chunked_or_not(base_url: str) -> None:
    big_note = b'{"note": "' + b"x" * (200 * 1024) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big_note), 8192):
            yield big_note[start : start + 8192]

    async with httpx.AsyncClient(base_url=base_url) as http:
        chunked = await http.post("/notes", content=chunks(), headers={"content-type": "application/json"})
        declared = await http.post("/notes", content=big_note, headers={"content-type": "application/json"})
        small = await http.post("/notes", json={"note": "x" * 1000})
    assert "content-length" not in chunked.request.headers
    for refused in (chunked, declared):
        assert refused.status_code == 413, refused.text
        assert refused.json()["error"] == "body_too_large"
        assert "65536 bytes" in refused.json()["detail"]
    assert small.status_code == 200


async def test_refusals_are_documented_as_problems_in_the_openapi(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        schema = (await http.get("/openapi.json")).json()
        missing = await http.get("/no-such-route")
    responses = schema["paths"]["/notes"]["post"]["responses"]
    for status in ("401", "403", "413", "422", "500", "503"):
        assert "application/problem+json" in responses[status]["content"], status
    assert schema["components"]["schemas"]["ProblemBody"]["required"] == [
        "type", "title", "status", "detail", "error", "message"
    ]  # fmt: skip
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


async def test_a_value_longer_than_the_event_it_feeds_carries_is_a_422_naming_the_field(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = await http.post("/closings", json={"ticket_id": "T" * 500})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["error"] == "value_too_long"
    assert problem["errors"] == [{"field": "ticket_id", "problem": "String should have at most 120 characters"}]


async def test_a_body_that_is_no_json_in_utf8_is_a_422_like_a_json_syntax_error(base_url: str) -> None:
    json_type = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url) as http:
        latin1 = await http.post("/typed-notes", content='{"note": "café"}'.encode("latin-1"), headers=json_type)
        broken = await http.post("/typed-notes", content=b'{"note": ', headers=json_type)
    for refused in (latin1, broken):
        assert (refused.status_code, refused.json()["error"]) == (422, "invalid_request"), refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    assert latin1.json()["detail"] == "body: not JSON in UTF-8 (invalid continuation byte at byte 13)"
