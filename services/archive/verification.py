"""Checking the archive's tamper evidence: every site's chain recomputed from what is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import repository
from services.archive.domain.chain import StoredLink, Verified, verify


async def verify_chains(
    connection: AsyncConnection, site_code: str | None = None, *, on_site: OnSite | None = None
) -> dict[str, Verified]:
    """Each site's chain (or the one site's), walked link by link: how many links, and the first break.
    `on_site` is told of each site and its number of links, and gives what to call after each link."""
    sites = [site_code] if site_code is not None else await repository.chained_sites(connection)
    verified = {}
    for site in sites:
        links = repository.links(connection, site)
        if on_site is not None:
            links = _counted(links, on_site(site, await repository.link_count(connection, site)))
        verified[site] = await verify(links)
    return verified


OnSite = Callable[[str, int], Callable[[], None]]


async def _counted(links: AsyncIterator[StoredLink], step: Callable[[], None]) -> AsyncIterator[StoredLink]:
    async for link in links:
        yield link
        step()
