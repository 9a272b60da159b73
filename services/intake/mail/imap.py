"""An IMAP4rev1 client on asyncio streams, with only what the mailbox worker needs (RFC 3501, IDLE 2177,
MOVE 6851, UIDPLUS 4315).

Why not aioimaplib: it is GPL-3.0-only (Aftercare ships to customers), it has no STARTTLS (Exchange and
many Chinese hosts offer 143 + STARTTLS), no types, and a broken connection leaves its pending commands
waiting for their timeout. What is needed here is small: a tagged command, its untagged answers, literals.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from datetime import datetime
from typing import Literal as OneOf

from services.intake.mail.imap_syntax import (
    Fetched,
    Literal,
    Response,
    Selected,
    date_time,
    encode_folder,
    fetched_of,
    selected_of,
    status_of,
    string,
    text_of,
)

Security = OneOf["tls", "starttls", "none"]
_LITERAL_AT_END = re.compile(rb"\{(\d+)\+?\}$")
_STREAM_LIMIT = 4 * 1024 * 1024  # one line: a SEARCH answer of 100,000 UIDs fits
DEFAULT_MAX_LITERAL = 64 * 1024 * 1024  # a literal's bytes are read whole into memory: a server says how many


class ImapError(Exception):
    """The server answered NO or BAD."""


class LoginRefused(ImapError):
    """The server refused the user name or password (or the account is locked)."""


class ImapClosed(ConnectionError):
    """The connection ended: the server said BYE, or it went away."""


class LiteralTooBig(ImapClosed):
    """The server announced a literal bigger than the client reads: the connection is closed."""


class ImapClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float,
                 max_literal: int = DEFAULT_MAX_LITERAL) -> None:  # fmt: skip
        self._reader, self._writer, self.timeout, self.max_literal = reader, writer, timeout, max_literal
        self._tags = 0
        self.capabilities: frozenset[str] = frozenset()

    @classmethod
    async def connect(cls, host: str, port: int, *, security: Security, ssl_context: ssl.SSLContext | None,
                      timeout: float, max_literal: int = DEFAULT_MAX_LITERAL) -> ImapClient:  # fmt: skip
        """Connected and greeted, TLS established (certificate verified by `ssl_context`), not logged in. A
        literal the server announces bigger than `max_literal` bytes ends the connection (ImapClosed)."""
        context = ssl_context or ssl.create_default_context()
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=context if security == "tls" else None, limit=_STREAM_LIMIT
            )
        _keep_alive(writer)
        client = cls(reader, writer, timeout, max_literal)
        try:
            greeting = await client._read()
            if not greeting[0].startswith(b"* OK") and not greeting[0].startswith(b"* PREAUTH"):
                raise ImapClosed(f"the server's greeting was {text_of(greeting)!r}")
            await client.refresh_capabilities()
            if security == "starttls":
                if "STARTTLS" not in client.capabilities:
                    raise ImapError("the server does not offer STARTTLS")
                await client.command("STARTTLS")
                client._nothing_read_ahead()
                async with asyncio.timeout(timeout):
                    await writer.start_tls(context, server_hostname=host)
                await client.refresh_capabilities()  # only those said under TLS count (RFC 3501 6.2.1)
        except BaseException:
            await client.close()
            raise
        return client

    async def refresh_capabilities(self) -> None:
        untagged = await self.command("CAPABILITY")
        words = next((line.split()[2:] for line in untagged if line.upper().startswith(b"* CAPABILITY")), [])
        self.capabilities = frozenset(word.decode().upper() for word in words)

    async def login(self, username: str, password: str) -> None:
        try:
            await self.command("LOGIN", string(username), string(password))
        except ImapError as refused:
            raise LoginRefused(f"login as {username} refused: {refused}") from None
        await self.refresh_capabilities()

    async def select(self, folder: str) -> Selected:
        untagged = await self.command("SELECT", string(encode_folder(folder)))
        try:
            return selected_of(untagged, folder)
        except ValueError as strange:
            raise ImapError(str(strange)) from None

    async def uid_search(self, *criteria: str) -> list[int]:
        untagged = await self.command("UID SEARCH", *criteria)
        found = [line.split()[2:] for line in untagged if line.upper().startswith(b"* SEARCH")]
        return sorted({int(uid) for words in found for uid in words})

    async def uid_fetch(self, uids: str, items: str) -> list[Fetched]:
        answers = (fetched_of(response) for response in await self.exchange("UID FETCH", uids, items))
        return sorted((one for one in answers if one is not None), key=lambda one: one.uid)

    async def uid_store(self, uids: str, change: str, flags: tuple[str, ...]) -> None:
        await self.command("UID STORE", uids, f"{change}.SILENT", f"({' '.join(flags)})")

    async def uid_move(self, uids: str, folder: str) -> None:
        """Move to `folder`: with MOVE where the server has it, else copy, mark deleted and expunge (only
        these UIDs with UIDPLUS; without it every mail marked deleted in the folder goes, as in any client)."""
        target = string(encode_folder(folder))
        if "MOVE" in self.capabilities:
            await self.command("UID MOVE", uids, target)
            return
        await self.command("UID COPY", uids, target)
        await self.uid_store(uids, "+FLAGS", ("\\Deleted",))
        await (self.command("UID EXPUNGE", uids) if "UIDPLUS" in self.capabilities else self.command("EXPUNGE"))

    async def append(
        self, folder: str, message: bytes, flags: tuple[str, ...] = (), internal_date: datetime | None = None
    ) -> None:
        """Put `message` in `folder`, received (INTERNALDATE) at `internal_date` if given, else now."""
        when = (date_time(internal_date),) if internal_date is not None else ()
        await self.command("APPEND", string(encode_folder(folder)), f"({' '.join(flags)})", *when, Literal(message))

    async def create(self, folder: str) -> None:
        await self.command("CREATE", string(encode_folder(folder)))

    async def delete(self, folder: str) -> None:
        await self.command("DELETE", string(encode_folder(folder)))

    async def noop(self) -> None:
        await self.command("NOOP")

    async def idle(self, seconds: float, wake: asyncio.Event) -> bool:
        """IDLE until the server tells of new mail (True), `seconds` pass or `wake` is set (False)."""
        tag = self._next_tag()
        await self._send(f"{tag} IDLE\r\n".encode())
        await self._until_continuation(tag)
        news = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        reading = asyncio.ensure_future(self._read(timeout=None))
        woken = asyncio.ensure_future(wake.wait())
        try:
            while not news and not wake.is_set():
                done, _ = await asyncio.wait({reading, woken}, timeout=max(0.0, deadline - loop.time()),
                                             return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                if reading not in done:
                    break
                news = self._tells_of_mail(reading.result())
                reading = asyncio.ensure_future(self._read(timeout=None))
            await self._send(b"DONE\r\n")
            while True:
                async with asyncio.timeout(self.timeout):
                    response = await reading
                if response[0].startswith(tag.encode() + b" "):
                    _check(response, "IDLE")
                    return news
                news = self._tells_of_mail(response) or news
                reading = asyncio.ensure_future(self._read(timeout=None))
        finally:
            woken.cancel()
            reading.cancel()

    async def logout(self) -> None:
        try:
            await self.command("LOGOUT")
        finally:
            await self.close()

    async def close(self) -> None:
        self._writer.close()
        try:
            async with asyncio.timeout(1):
                await self._writer.wait_closed()
        except (OSError, TimeoutError, ssl.SSLError):
            pass  # closing a broken connection: nothing more to say to it

    async def command(self, name: str, *arguments: str | bytes) -> list[bytes]:
        """Send a command; its untagged answers' text (literals left out). NO or BAD raises ImapError."""
        return [b"".join(p for p in r if not isinstance(p, Literal)) for r in await self.exchange(name, *arguments)]

    async def exchange(self, name: str, *arguments: str | bytes) -> list[Response]:
        """Send a command (a `Literal` argument goes as a literal); its untagged answers, whole."""
        tag = self._next_tag()
        line, untagged = f"{tag} {name}".encode(), []
        for argument in arguments:
            if isinstance(argument, Literal):
                await self._send(line + b" {%d}\r\n" % len(argument))
                untagged += await self._until_continuation(tag)
                line = bytes(argument)
            else:
                line += b" " + (argument.encode() if isinstance(argument, str) else argument)
        await self._send(line + b"\r\n")
        while True:
            response = await self._read()
            if response[0].startswith(tag.encode() + b" "):
                _check(response, name)
                return untagged
            untagged.append(response)

    def _tells_of_mail(self, response: Response) -> bool:
        line = response[0].upper()
        if line.startswith(b"* BYE"):
            raise ImapClosed(f"the server said {text_of(response)!r}")
        return line.startswith(b"* ") and (line.endswith(b" EXISTS") or line.endswith(b" RECENT"))

    def _bounded(self, size: int) -> int:
        """A literal's size, refused over `max_literal` (read whole, it takes what memory a server asks)."""
        if size > self.max_literal:
            self._writer.close()
            raise LiteralTooBig(f"the server announced a literal of {size} bytes, over the {self.max_literal} allowed")
        return size

    def _nothing_read_ahead(self) -> None:
        """Refuse bytes sent after STARTTLS's OK: they came in the clear, and read after the handshake would
        pass for the server's words under TLS (an injected CAPABILITY). Nothing yields between reading the OK
        and start_tls pausing the transport: no byte arrives between this look (at CPython's private buffer,
        StreamReader has no public one) and the handshake."""
        read_ahead = len(getattr(self._reader, "_buffer", b""))
        if read_ahead:
            raise ImapClosed(f"the server sent {read_ahead} bytes in the clear after STARTTLS's OK: refused")

    def _next_tag(self) -> str:
        self._tags += 1
        return f"A{self._tags:04d}"

    async def _send(self, data: bytes) -> None:
        self._writer.write(data)
        try:
            async with asyncio.timeout(self.timeout):
                await self._writer.drain()
        except (ConnectionError, TimeoutError) as lost:
            raise ImapClosed(f"the connection broke while sending: {lost!r}") from lost

    async def _until_continuation(self, tag: str) -> list[Response]:
        untagged: list[Response] = []
        while True:
            response = await self._read()
            if response[0].startswith(b"+"):
                return untagged
            if response[0].startswith(tag.encode() + b" "):
                _check(response, "command")
                raise ImapError(f"the server ended the command instead of continuing: {text_of(response)!r}")
            if response[0].upper().startswith(b"* BYE"):
                raise ImapClosed(f"the server said {text_of(response)!r}")
            untagged.append(response)

    async def _read(self, timeout: float | None = -1.0) -> Response:
        """One whole response: its lines and the literals between them."""
        limit = self.timeout if timeout == -1.0 else timeout
        pieces: Response = []
        try:
            async with asyncio.timeout(limit):
                while True:
                    line = (await self._reader.readuntil(b"\r\n"))[:-2]
                    literal = _LITERAL_AT_END.search(line)
                    if literal is None:
                        pieces.append(line)
                        return pieces
                    pieces.append(line[: literal.start()])
                    pieces.append(Literal(await self._reader.readexactly(self._bounded(int(literal[1])))))
        except LiteralTooBig:
            raise
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError) as lost:
            raise ImapClosed(f"the connection ended: {lost!r}") from lost
        except asyncio.LimitOverrunError as overrun:
            raise ImapClosed("the server sent a line too long to read") from overrun


def _check(response: Response, what: str) -> None:
    if status_of(response) != b"OK":
        raise ImapError(f"{what}: {text_of(response)}")


def _keep_alive(writer: asyncio.StreamWriter) -> None:
    """A server gone without a word (a NAT forgetting the connection during a long IDLE) is noticed within
    about two minutes, not at the next re-IDLE."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 20), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
