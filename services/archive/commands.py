"""`aftercare archive`: check the archive's tamper evidence; rebuild its ticket list."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Annotated

import typer

from services.archive.domain.chain import Verified
from services.archive.settings import ArchiveSettings
from services.archive.ticket_list_rebuild import rebuild
from services.archive.verification import verify_chains
from shared.persistence.database import create_engine
from shared.progress import progress
from shared.service import database_of

archive = typer.Typer(help="The archive of documents.", no_args_is_help=True)


@archive.command("verify")
def verify(site: Annotated[str | None, typer.Option(help="One site's chain; default: every site's.")] = None) -> None:
    """Recompute each site's hash chain, and every document's checksums, from what is stored; name the
    first broken link. Exits 1 if any chain is broken."""
    results = asyncio.run(_verify(site))
    if not results:
        typer.echo(f"no documents for site {site}" if site else "no documents in the archive")
    for code, verified in results.items():
        if verified.first_break is None:
            typer.echo(f"{code}: {verified.links} links, intact")
        else:
            typer.echo(f"{code}: BROKEN at {verified.first_break}", err=True)
    if any(verified.first_break is not None for verified in results.values()):
        raise typer.Exit(1)


async def _verify(site: str | None) -> dict[str, Verified]:
    engine = create_engine(ArchiveSettings().database_url, pool_size=1)
    try:
        async with engine.connect() as connection, contextlib.AsyncExitStack() as bars:

            def on_site(code: str, links: int) -> Callable[[], None]:
                advance = bars.enter_context(progress(f"verifying {code}", links))
                return lambda: advance(1)

            found = await verify_chains(connection, site, on_site=on_site)
    finally:
        await engine.dispose()
    return {code: verified for code, verified in found.items() if verified.links or site is None}


@archive.command("rebuild-ticket-list")
def rebuild_ticket_list(
    every: Annotated[
        bool, typer.Option("--all", help="Every ticket's line, not only the tickets without one.")
    ] = False,
) -> None:
    """Fold the ticket list's lines again from the timeline: the tickets without a line (the archive does
    this at start), or with --all every ticket (after the list's rule changed). Safe while the archive runs."""
    folded = asyncio.run(_rebuild(every))
    typer.echo(f"folded the lines of {folded} ticket(s) from the timeline")


async def _rebuild(every: bool) -> int:
    from services.archive.app import service  # the app imports these commands' module's neighbours

    engine = create_engine(ArchiveSettings().database_url, pool_size=1)
    try:
        with progress("folding tickets", None) as advance:
            return await rebuild(database_of(service, engine), every=every, on_batch=advance)
    finally:
        await engine.dispose()
