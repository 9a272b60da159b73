"""Long lists of rows as the services answer them: `dicts_of` reads a result's rows into dicts keyed by
plain strings, and `rows_response` sends rows whatever their keys, with the same JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, MetaData, Table, Text, literal, select
from sqlalchemy.sql.elements import quoted_name

from shared.http import rows_response
from shared.persistence.database import create_engine, dicts_of
from testkit.world import World


async def test_rows_become_dicts_keyed_by_plain_strings(world: World) -> None:
    # SQLAlchemy names a table's columns with its own subclass of str: a table of this connection's own
    # (none of its rows), and one more row.
    keys = Table("row_keys", MetaData(), Column("ticket_id", Text), Column("clock", Text), prefixes=["TEMPORARY"])
    query = select(keys.c.ticket_id, keys.c.clock).union_all(
        select(literal("HH138-20261207-0001"), literal("response"))
    )
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(keys.create)
            result = await connection.execute(query)
            assert {type(key) for key in list(result.keys())} != {str}
            rows = dicts_of(result)
    finally:
        await engine.dispose()
    assert rows == [{"ticket_id": "HH138-20261207-0001", "clock": "response"}]
    assert all(type(key) is str for row in rows for key in row)


def _sent(rows: list[dict[str, Any]]) -> Any:
    return json.loads(bytes(rows_response(rows).body))


def test_rows_are_sent_alike_whatever_their_keys() -> None:
    moment = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    plain: dict[str, Any] = {"ticket_id": "HH138-20261207-0001", "due_at": moment}
    # SQLAlchemy's column names: a subclass of str
    named: dict[str, Any] = {quoted_name("ticket_id", None): "HH138-20261207-0001", quoted_name("due_at", None): moment}
    expected = {"ticket_id": "HH138-20261207-0001", "due_at": "2026-12-07T08:00:00Z"}
    assert _sent([plain]) == _sent([named]) == [expected]
    assert _sent([plain, named]) == [expected, expected]
