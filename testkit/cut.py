"""A TCP proxy a test can cut: the broker or the database goes out of reach for the processes that
connect through it, while everything else on the machine keeps using the real one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from testkit.processes import free_port


@dataclass
class Cuttable:
    port: int
    target: tuple[str, int]
    cut: bool = False
    _streams: set[asyncio.StreamWriter] = field(default_factory=set)

    def sever(self) -> None:
        """Drop every connection through the proxy and refuse new ones until `restore`."""
        self.cut = True
        for writer in list(self._streams):
            writer.transport.abort()
        self._streams.clear()

    def restore(self) -> None:
        self.cut = False

    @property
    def in_use(self) -> bool:
        """Whether a connection passes through it now."""
        return bool(self._streams)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.cut:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._streams |= {client_writer, server_writer}
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))
        self._streams -= {client_writer, server_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@asynccontextmanager
async def cuttable(host: str, port: int) -> AsyncIterator[Cuttable]:
    """A proxy on a free local port to `host:port`."""
    proxy = Cuttable(port=free_port(), target=(host, port))
    server = await asyncio.start_server(proxy._serve, "127.0.0.1", proxy.port)
    try:
        yield proxy
    finally:
        server.close()
        proxy.sever()
        await server.wait_closed()
