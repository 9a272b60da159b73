"""What people call sites and subsystems: the site file's names (intake's `/sites`), in Chinese where it
gives one, for pages that would otherwise show codes (`bgm`, `HH138`). A worker of the console process
asks intake once a minute, as the console itself (a site's names are no one's secret); pages read what
it last heard and never wait for it (codes until it first hears)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from services.console.domain.people import Person
from services.console.settings import ConsoleSettings
from services.console.web.upstream import Upstream
from shared.background import BackgroundLoop
from shared.identity import Role
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)
EVERY_SECONDS = 60.0
CONSOLE = Person("aftercare:console", "Aftercare console", frozenset({Role.OPERATOR}))
"""Who asks intake for the names: the console itself (a name no person's account can have: a user name
holds no colon), for every page, a customer's too (a customer may not list the sites)."""


class Names(BackgroundLoop):
    task_name = "console-names"

    def __init__(self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__()
        self._services = Upstream(settings, transport)
        self.sites: dict[str, dict[str, Any]] = {}

    async def _run(self) -> None:
        self._services.start()
        try:
            while not self.stopping.is_set():
                await self._ask()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), timeout=EVERY_SECONDS)
        finally:
            await self._services.stop()

    async def _ask(self) -> None:
        """The names as intake has them now; the ones heard before if it does not answer as it should."""
        try:
            answer = await self._services.get(CONSOLE, "intake", "/sites")
            self.sites = {site["code"]: site for site in answer if isinstance(site, dict) and "code" in site}
        except Exception as error:  # intake away, a changed answer: codes stay readable meanwhile
            log.warning("the sites' names could not be asked for; asking again in a minute", error=repr(error))

    def site(self, code: str | None, language: str) -> str:
        found = self.sites.get(code or "")
        if found is None:
            return code or ""
        return str((found.get("local_name") if language == "zh" else None) or found.get("name") or code)

    def subsystem(self, code: str | None, site_code: str | None, language: str) -> str:
        """A subsystem's name at its site (or at any site that has it, when the site is not known)."""
        if not code:
            return ""
        sites = [self.sites[site_code]] if site_code in self.sites else list(self.sites.values())
        for site in sites:
            named = (site.get("subsystem_names") or {}).get(code)
            if isinstance(named, dict):
                return str((named.get("local_name") if language == "zh" else None) or named.get("name") or code)
        return code


def names_for(database: ServiceDatabase, settings: ServiceSettings) -> Names:
    assert isinstance(settings, ConsoleSettings)
    return Names(settings)


def names_of(state: Any) -> Names:
    """The process's names (the console's worker)."""
    names: Names = state.runtime.worker(Names)
    return names
