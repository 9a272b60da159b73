"""A site's document numbers and the end of its hash chain, read and moved on only under the site's chain
lock: one holder numbers and chains at a time, whatever the processes."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import document_sequences, documents
from services.archive.domain.documents import Category
from services.archive.domain.sequencing import NumberKey
from shared.persistence.locks import lock_for_transaction

_KEY = [document_sequences.c.site_code, document_sequences.c.year, document_sequences.c.category]


async def next_sequence(connection: AsyncConnection, site_code: str, year: int, category: Category) -> int:
    """The next number of the site's year and category, taken."""
    statement = (
        insert(document_sequences)
        .values(site_code=site_code, year=year, category=category.value, last_sequence=1)
        .on_conflict_do_update(index_elements=_KEY, set_={"last_sequence": document_sequences.c.last_sequence + 1})
        .returning(document_sequences.c.last_sequence)
    )
    return int((await connection.execute(statement)).scalar_one())


async def last_numbers(connection: AsyncConnection, site_code: str) -> dict[NumberKey, int]:
    """The last number given in each year and category of the site."""
    rows = await connection.execute(
        select(document_sequences.c.year, document_sequences.c.category, document_sequences.c.last_sequence).where(
            document_sequences.c.site_code == site_code
        )
    )
    return {(row.year, Category(row.category)): row.last_sequence for row in rows}


async def keep_numbers(connection: AsyncConnection, site_code: str, numbers: Mapping[NumberKey, int]) -> None:
    """Record the last number given in these years and categories of the site."""
    if not numbers:
        return
    statement = insert(document_sequences).values(
        [
            {"site_code": site_code, "year": year, "category": category.value, "last_sequence": last}
            for (year, category), last in numbers.items()
        ]
    )
    await connection.execute(
        statement.on_conflict_do_update(index_elements=_KEY, set_={"last_sequence": statement.excluded.last_sequence})
    )


async def last_link(connection: AsyncConnection, site_code: str) -> tuple[int, str] | None:
    """The position and hash of the site's latest link."""
    row = (
        await connection.execute(
            select(documents.c.chain_position, documents.c.chain_hash)
            .where(documents.c.site_code == site_code)
            .order_by(documents.c.chain_position.desc())
            .limit(1)
        )
    ).first()
    return (int(row.chain_position), str(row.chain_hash)) if row else None


def _chain_lock(site_code: str) -> str:
    return f"archive-chain:{site_code}"


async def hold_chain(connection: AsyncConnection, site_code: str) -> None:
    """Wait for, then hold until the commit, the site's chain lock."""
    await lock_for_transaction(connection, _chain_lock(site_code))


async def try_chain_lock(connection: AsyncConnection, site_code: str) -> bool:
    """Take the site's chain lock until the commit if nobody holds it; False if somebody does."""
    lock = func.pg_try_advisory_xact_lock(func.hashtext(_chain_lock(site_code)))
    return bool(await connection.scalar(select(lock)))
