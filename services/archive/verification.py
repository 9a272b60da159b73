"""Checking the archive's tamper evidence: every site's chain recomputed from what is stored."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import repository
from services.archive.domain.chain import Verified, verify


async def verify_chains(connection: AsyncConnection, site_code: str | None = None) -> dict[str, Verified]:
    """Each site's chain (or the one site's), walked link by link: how many links, and the first break."""
    sites = [site_code] if site_code is not None else await repository.chained_sites(connection)
    return {site: await verify(repository.links(connection, site)) for site in sites}
