"""Writing a row whatever is there: how site descriptions are loaded, safely again and again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def upsert(connection: AsyncConnection, table: Table, row: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert `row`, or overwrite the row with the same `key` columns with it."""
    await connection.execute(
        insert(table).values(dict(row)).on_conflict_do_update(index_elements=[table.c[k] for k in key], set_=dict(row))
    )


async def insert_if_absent(connection: AsyncConnection, table: Table, row: Mapping[str, Any]) -> None:
    """Insert `row` unless a row with the same unique key exists."""
    await connection.execute(insert(table).values(dict(row)).on_conflict_do_nothing())
