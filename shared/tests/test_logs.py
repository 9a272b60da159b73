"""Logs hold no personal data and stay small: no local variables in tracebacks, personal fields redacted,
no statement parameters in the database's errors."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.logs import configure_logging, get_logger
from shared.persistence.database import create_engine
from testkit.world import World

PHONE = "+86 138 0013 8000"


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    configure_logging("probe", log_format="json")
    written = io.StringIO()
    cast(logging.StreamHandler[io.StringIO], logging.getLogger().handlers[0]).setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    logging.getLogger().handlers[:] = []


def _fail_with_a_big_request(request: object) -> None:
    raise RuntimeError("the handler failed")


def test_an_exception_is_logged_without_the_locals_that_held_the_request(
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    request = {"reporter": {"name": "王小明", "phone": PHONE}, "description": "x" * 100_000}
    try:
        _fail_with_a_big_request(request)
    except RuntimeError:
        get_logger("probe").exception("request failed", ticket_id="HH138-20261127-0001")
    [line] = json_lines()
    assert line["event"] == "request failed"
    assert line["exception"][0]["exc_value"] == "the handler failed"
    written = json.dumps(line, ensure_ascii=False)
    assert PHONE not in written
    assert "王小明" not in written
    assert len(written) < 5_000


def test_a_standard_library_record_keeps_its_own_traceback(json_lines: Callable[[], list[dict[str, Any]]]) -> None:
    try:
        _fail_with_a_big_request({"phone": PHONE})
    except RuntimeError as error:
        caught = (type(error), error, error.__traceback__)
    logging.getLogger("asyncio").error("Task exception was never retrieved", exc_info=caught)  # outside except
    [line] = json_lines()
    assert line["exception"][0]["exc_value"] == "the handler failed"


def test_fields_named_as_personal_are_redacted_wherever_they_are_nested(
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    get_logger("probe").warning(
        "notification failed",
        to_email="li@example.com",
        person={"username": "li", "mobile": PHONE, "reporter": {"name": "Li"}},
        attempts=[{"phone": PHONE}],
        channel="sms",
    )
    [line] = json_lines()
    assert line["to_email"] == "[redacted]"
    assert line["person"] == {"username": "li", "mobile": "[redacted]", "reporter": "[redacted]"}
    assert line["attempts"] == [{"phone": "[redacted]"}]
    assert line["channel"] == "sms"


async def test_a_database_error_does_not_carry_the_statement_parameters(world: World) -> None:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as raised:
                await connection.execute(text("SELECT length(CAST(:phone AS text)) / 0"), {"phone": PHONE})
    finally:
        await engine.dispose()
    assert "division by zero" in str(raised.value)
    assert PHONE not in str(raised.value)


async def test_a_providers_request_is_not_logged_with_the_secret_in_its_url(
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    """httpx writes each request's URL at INFO; WeCom's gettoken takes the application's secret in it."""
    url = "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww01&corpsecret=the-application-secret"
    answer = httpx.Response(200, json={"errcode": 0, "access_token": "the-token"})
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _: answer)) as client:
        assert (await client.get(url)).status_code == 200
    logging.getLogger("httpx").warning("a warning of the client's own")  # its warnings still come through
    written = json.dumps(json_lines(), ensure_ascii=False)
    assert "a warning of the client's own" in written
    assert "the-application-secret" not in written
    assert "corpsecret" not in written
