"""The whole suite served over real HTTP inside the test process, as a browser reaches it: each service
on a port of its own, the console told where the others are."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

import services
from shared.http import create_app
from shared.runtime import ServiceRuntime
from testkit.processes import free_port
from testkit.waiting import eventually
from testkit.world import World

BACKENDS = ("intake", "dispatch", "sla", "vendor", "archive", "webhooks", "notify")


@asynccontextmanager
async def serving(world: World, **overrides: dict[str, Any]) -> AsyncIterator[dict[str, str]]:
    """Every service started and listening (`overrides`: settings by service, e.g. dispatch={...});
    yields each one's base URL (the console's on `localhost`, where browsers accept its secure cookie
    over plain HTTP)."""
    ports = {name: free_port() for name in services.NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    try:
        for name in services.NAMES:
            wired = {f"{backend}_url": urls[backend] for backend in BACKENDS} if name == "console" else {}
            runtime = ServiceRuntime(
                services.definition(name), world.settings(name, **wired, **overrides.get(name, {}))
            )
            config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=ports[name], log_level="warning")
            server = uvicorn.Server(config)
            servers.append((server, asyncio.create_task(server.serve(), name=f"serve {name}")))

            async def listening(server: uvicorn.Server = server) -> bool:
                return server.started

            await eventually(listening, timeout=60, interval=0.05)
        yield {**urls, "console": f"http://localhost:{ports['console']}"}
    finally:
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in servers), return_exceptions=True)
