"""What people call sites and subsystems: the site file's names (intake's `/sites`), in Chinese where it
gives one, for pages that would otherwise show codes (`bgm`, `HH138`). Asked of intake at most once a
minute by each console process, as the console itself (a site's names are no one's secret)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from services.console.domain.people import Person
from services.console.web.upstream import ServiceRefused, Upstream
from shared.identity import Role

FRESH_SECONDS = 60.0
CONSOLE = Person("console", "Aftercare console", frozenset({Role.OPERATOR}))
"""Who asks intake for the names: the console, for every page (a customer may not list sites)."""


@dataclass
class Names:
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    asked_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _asking: asyncio.Task[None] | None = None  # held, so that the task is not collected while it runs

    async def refresh(self, services: Upstream) -> None:
        """Have names for the page: the first page waits for them (2 s at most), later ones are answered
        with what is known while names over a minute old are asked for again in the background."""
        if time.monotonic() - self.asked_at < FRESH_SECONDS:
            return
        if self.asked_at == float("-inf"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._ask(services)), timeout=2.0)
        elif not self.lock.locked():
            self._asking = asyncio.create_task(self._ask(services), name="console names")

    async def _ask(self, services: Upstream) -> None:
        async with self.lock:
            if time.monotonic() - self.asked_at < FRESH_SECONDS:
                return
            with contextlib.suppress(ServiceRefused):  # codes meanwhile; asked again in a minute
                self.sites = {site["code"]: site for site in await services.get(CONSOLE, "intake", "/sites")}
            self.asked_at = time.monotonic()

    def site(self, code: str | None, language: str) -> str:
        found = self.sites.get(code or "")
        if found is None:
            return code or ""
        return str((found.get("local_name") if language == "zh" else None) or found["name"])

    def subsystem(self, code: str | None, site_code: str | None, language: str) -> str:
        """A subsystem's name at its site (or at any site that has it, when the site is not known)."""
        if not code:
            return ""
        sites = [self.sites[site_code]] if site_code in self.sites else list(self.sites.values())
        for site in sites:
            named = (site.get("subsystem_names") or {}).get(code)
            if named:
                return str((named.get("local_name") if language == "zh" else None) or named.get("name") or code)
        return code


def names_of(state: Any) -> Names:
    """The process's names (one per console app)."""
    if not hasattr(state, "names"):
        state.names = Names()
    names: Names = state.names
    return names
