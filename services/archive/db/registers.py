"""The registers' rows and signatures, in the archive's own schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import register_signatures, registers
from services.archive.domain.periods import Period
from services.archive.domain.signing import Party, RegisterState, Signature


async def of_key(connection: AsyncConnection, site_code: str, kind: str, key: str) -> dict[str, Any] | None:
    """The site's register of a kind for a period (`2026-11`), or for a contract (acceptance)."""
    row = (
        await connection.execute(
            select(registers).where(
                registers.c.site_code == site_code, registers.c.kind == kind, registers.c.period == key
            )
        )
    ).first()
    return dict(row._mapping) if row else None


async def by_code(connection: AsyncConnection, code: str) -> dict[str, Any] | None:
    row = (await connection.execute(select(registers).where(registers.c.code == code))).first()
    return dict(row._mapping) if row else None


async def of_site(connection: AsyncConnection, site_code: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(registers).where(registers.c.site_code == site_code).order_by(registers.c.first_day, registers.c.kind)
    )
    return [dict(row._mapping) for row in rows]


async def latest_acceptance(connection: AsyncConnection, site_code: str) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(registers)
            .where(registers.c.site_code == site_code, registers.c.kind == "acceptance")
            .order_by(registers.c.first_day.desc())
            .limit(1)
        )
    ).first()
    return dict(row._mapping) if row else None


async def add(
    connection: AsyncConnection, code: str, site_code: str, key: str, period: Period, *, at: datetime
) -> None:
    await connection.execute(
        registers.insert().values(
            code=code,
            site_code=site_code,
            kind=period.kind.value,
            period=key,
            first_day=period.first,
            last_day=period.last,
            latest_version=1,
            drawn_up_at=at,
        )
    )


async def new_version(connection: AsyncConnection, code: str, version: int, period: Period, *, at: datetime) -> None:
    await connection.execute(
        update(registers)
        .where(registers.c.code == code)
        .values(latest_version=version, first_day=period.first, last_day=period.last, drawn_up_at=at)
    )


async def lock(connection: AsyncConnection, code: str, version: int, *, at: datetime) -> None:
    await connection.execute(
        update(registers)
        .where(registers.c.code == code)
        .values(latest_version=version, locked_version=version, locked_at=at)
    )


async def signatures(connection: AsyncConnection, code: str, version: int) -> tuple[Signature, ...]:
    rows = await connection.execute(
        select(register_signatures)
        .where(register_signatures.c.code == code, register_signatures.c.version == version)
        .order_by(register_signatures.c.signed_at)
    )
    return tuple(
        Signature(Party(row.party), row.name, row.role, row.signed_at, row.signature_png, row.signed_by) for row in rows
    )


async def state(connection: AsyncConnection, row: dict[str, Any]) -> RegisterState:
    return RegisterState(
        code=row["code"],
        latest_version=row["latest_version"],
        locked_version=row["locked_version"],
        signatures=await signatures(connection, row["code"], row["latest_version"]),
    )


async def sign(connection: AsyncConnection, code: str, version: int, signature: Signature) -> None:
    await connection.execute(
        register_signatures.insert().values(
            code=code,
            version=version,
            party=signature.party.value,
            name=signature.name,
            role=signature.role,
            signed_at=signature.signed_at,
            signature_png=signature.signature_png,
            signed_by=signature.signed_by,
        )
    )
