"""Stored data for the benchmarks: the rows a run left, copied many times over, so that a figure can be
measured again with a year's worth of tickets (and their documents, clocks and history) already stored.

Every row of the tables that grow with the work is copied `copies` times, each copy at sites of its
own: the site's code in every text, JSON and array value is renamed (LOAD1 becomes LOAD1R00001, so
ticket ids, document codes and catalogue rows move with it), every UUID column is derived anew from
the copy's number (message ids stay unique; a UUID column and the UUID columns that name it still
agree; the UUIDs inside JSON payloads are left as they were), and serial ids are drawn afresh. A copy
is what an old ticket looks like: closed, its clocks stopped, its timers fired, its notifications sent
and delivered, its follow-up calls done, every event published and handled. Its documents keep their
hashes but not their meaning (their content names another site), and their PDFs are a few bytes, so
that a million tickets fit on the disk: the benchmarks never read them. Copying at thousands of sites
also adds the work a suite does per site (the console's names of the sites every minute, the archive's
register calendar every five), as a suite with that many sites would do.

Written straight into each service's schema by INSERT ... SELECT, one statement per table and batch of
copies, then VACUUM ANALYZE as autovacuum would after a bulk load, and a checkpoint."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable

import asyncpg

GROWING: dict[str, list[str]] = {
    "intake": ["sites", "subsystems", "contracts", "equipment", "service_requests", "ticket_counters",
               "inbox", "outbox"],
    "dispatch": ["sites", "site_engineers", "ownerships", "site_calendars", "tickets", "assignments",
                 "ticket_history", "follow_ups", "inbox", "outbox"],
    "sla": ["sites", "site_policies", "clocks", "timers", "ticket_facts", "inbox", "outbox"],
    "vendor": ["sites", "site_calendars", "inbox", "outbox"],
    "archive": ["documents", "renditions", "document_index", "document_sequences", "timeline", "ticket_list",
                "inbox", "outbox"],
    "notify": ["sites", "notifications", "inbox", "outbox"],
    "webhooks": ["inbox", "outbox"],
}  # fmt: skip
"""The tables whose rows a site or a ticket adds, per schema; the rest (people, engineers, policies,
partners) stay as they are."""

OLD: dict[tuple[str, str], dict[str, str]] = {
    ("dispatch", "tickets"): {"status": "'closed'"},
    ("sla", "clocks"): {"stopped_at": "coalesce(stopped_at, started_at + interval '1 hour')",
                        "outcome": "coalesce(outcome, 'met')"},
    ("sla", "timers"): {"fired_at": "coalesce(fired_at, due_at)"},
    ("archive", "ticket_list"): {"status": "'closed'", "is_open": "false", "next_due_at": "NULL"},
    ("archive", "renditions"): {"pdf": "'\\x255044462d'::bytea"},
    ("intake", "equipment"): {"serial_number": "serial_number || '-' || copy"},
    ("notify", "notifications"): {"status": "'sent'", "notice_key": "notice_key || ':' || copy",
                                  "delivery": "CASE WHEN delivery IS NULL THEN NULL ELSE 'delivered' END",
                                  "receipt_after": "NULL"},
    ("dispatch", "follow_ups"): {"status": "'done'", "completed_at": "coalesce(completed_at, due_at)"},
}  # fmt: skip
"""What a copy is instead of the row it copies: an old ticket, finished (every outbox's rows published too)."""

for schema in GROWING:
    OLD.setdefault((schema, "outbox"), {})["published_at"] = "coalesce(published_at, created_at)"


async def store_copies(
    dsn: str, site_code: str, copies: int, *, schemas: Iterable[str] = GROWING, batch: int = 200
) -> dict[str, int]:
    """Copy the rows of the growing tables of these schemas, made at the site, `copies` times; returns the
    rows written per table."""
    chosen = {schema: GROWING[schema] for schema in schemas}
    if not 0 < copies < 100_000:
        raise ValueError(f"{copies} copies: a copy's site is named with five digits, 1 to 99,999")
    written: dict[str, int] = {}
    connection = await asyncpg.connect(dsn)
    try:
        for schema, tables in chosen.items():
            for table in tables:
                columns = await _columns(connection, schema, table)
                if not columns:
                    continue
                names = ", ".join(f'"{name}"' for name, _ in columns)
                values = ", ".join(
                    OLD.get((schema, table), {}).get(name) or _copied(name, kind, site_code) for name, kind in columns
                )
                async with connection.transaction():
                    # The originals apart, so that a batch does not copy the copies before it.
                    await connection.execute(
                        f'CREATE TEMPORARY TABLE original ON COMMIT DROP AS SELECT * FROM {schema}."{table}"'
                    )
                    for first in range(1, copies + 1, batch):
                        last = min(copies, first + batch - 1)
                        status = await connection.execute(
                            f'INSERT INTO {schema}."{table}" ({names}) SELECT {values} '
                            f"FROM original, generate_series({first}, {last}) AS copy"
                        )
                        key = f"{schema}.{table}"
                        written[key] = written.get(key, 0) + int(status.split()[-1])
        for schema, tables in chosen.items():
            for table in tables:
                await connection.execute(f'VACUUM ANALYZE {schema}."{table}"')
        # A bulk load leaves gigabytes of dirty pages for the checkpointer to write while a benchmark runs,
        # which slows every process on the box alike; a server that has held its data for a year has
        # written them.
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return written


async def _columns(connection: asyncpg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """The table's columns a copy writes (identity and serial columns are drawn afresh), with their types."""
    rows = await connection.fetch(
        """
        SELECT column_name, format_type(a.atttypid, a.atttypmod) AS kind
        FROM information_schema.columns AS c
        JOIN pg_attribute AS a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
                               AND a.attname = c.column_name
        WHERE c.table_schema = $1 AND c.table_name = $2 AND c.is_identity = 'NO'
          AND coalesce(c.column_default, '') NOT LIKE 'nextval(%'
        ORDER BY c.ordinal_position
        """,
        schema,
        table,
    )
    return [(row["column_name"], row["kind"]) for row in rows]


def _copied(name: str, kind: str, site_code: str) -> str:
    column = f'original."{name}"'
    if kind == "uuid":
        return f"md5({column}::text || ':' || copy)::uuid"
    if kind in ("text", "character varying") or kind.startswith("character varying("):
        return _renamed(column, site_code)
    if kind in ("jsonb", "text[]"):
        return f"({_renamed(f'{column}::text', site_code)})::{kind}"
    return column


def _renamed(expression: str, site_code: str) -> str:
    return f"replace({expression}, '{site_code}', '{site_code}R' || lpad(copy::text, 5, '0'))"


async def settled(at_most: float = 300) -> float:
    """Wait for the box to calm down after a bulk load (the checkpoint's writes, autovacuum waking to the
    new rows): the load average under one, or `at_most` seconds. Returns the seconds waited."""
    started = time.monotonic()
    for _ in range(int(at_most / 5)):
        if os.getloadavg()[0] <= 1.0:
            break
        await asyncio.sleep(5)
    return time.monotonic() - started
