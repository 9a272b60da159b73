"""A scripted IMAP server, for what a real Dovecot will not do on demand: a corrupt mail its FETCH answers
NO for, a body sent as NIL, a size understated, bytes slipped in after STARTTLS's OK. `serving(handler)`
runs any script on a free port; `FakeMailbox` answers the commands the mailbox reader sends from mails in
memory (UIDs 1, 2, ... in the order given; no IDLE, so the reader polls)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
INTERNALDATE = "07-Dec-2026 14:35:12 +0800"


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[int]:
    """`handler` run for each connection to 127.0.0.1 on the port yielded; the connection closed after."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass  # the client went away: the script ends with it
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await server.wait_closed()


@dataclass
class FakeMail:
    data: bytes
    corrupt: bool = False  # any FETCH of its size or body answered NO (Dovecot's answer for a broken file)
    bodiless: bool = False  # its body sent as NIL
    size_told: int | None = None  # the RFC822.SIZE said, when it lies
    flags: set[str] = field(default_factory=set)


@dataclass
class FakeMailbox:
    mails: list[FakeMail]
    logins: int = 0
    fetches: list[str] = field(default_factory=list)  # each UID FETCH's arguments, in order

    def mail(self, uid: int) -> FakeMail:
        return self.mails[uid - 1]

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK fake IMAP server ready\r\n")
        while line := await reader.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, arguments = rest.partition(" ")
            if command.upper() == "UID":
                verb, _, arguments = arguments.partition(" ")
                command = f"UID {verb}"
            try:
                writer.write(self._answer(tag, command.upper(), arguments))
            except _Refused as refused:
                writer.write(f"{tag} NO {refused}\r\n".encode())
            await writer.drain()
            if command.upper() == "LOGOUT":
                return

    def _answer(self, tag: str, command: str, arguments: str) -> bytes:
        ok = f"{tag} OK done\r\n".encode()
        if command == "CAPABILITY":
            return b"* CAPABILITY IMAP4rev1 UIDPLUS\r\n" + ok
        if command == "LOGIN":
            self.logins += 1
            return ok
        if command == "SELECT":
            return (f"* {len(self.mails)} EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n"
                    "* OK [PERMANENTFLAGS (\\Seen \\*)] flags\r\n").encode() + ok  # fmt: skip
        if command == "UID SEARCH":
            first = int(re.search(r"UID (\d+):\*", arguments)[1])  # type: ignore[index]
            unflagged = re.search(r"UNKEYWORD (\S+)", arguments)
            found = [uid for uid in self._uids("1:*") if uid >= first]
            found = [uid for uid in found if not unflagged or unflagged[1] not in self.mail(uid).flags]
            return f"* SEARCH {' '.join(map(str, found))}\r\n".encode() + ok
        if command == "UID FETCH":
            return self._fetch(tag, arguments) + ok
        if command == "UID STORE":
            uids, _, flags = arguments.partition(" ")
            for uid in self._uids(uids):
                self.mail(uid).flags |= set(flags.partition("(")[2].rstrip(")").split())
            return ok
        if command in {"NOOP", "CREATE"}:
            return ok
        if command == "LOGOUT":
            return b"* BYE logging out\r\n" + ok
        return f"{tag} BAD unknown command\r\n".encode()

    def _fetch(self, tag: str, arguments: str) -> bytes:
        self.fetches.append(arguments)
        uids, _, items = arguments.partition(" ")
        chosen = self._uids(uids)
        if ("BODY" in items or "RFC822.SIZE" in items) and any(self.mail(uid).corrupt for uid in chosen):
            raise _Refused("[SERVERBUG] Internal error occurred. Refer to server log for more information.")
        out = b""
        for uid in chosen:
            mail = self.mail(uid)
            said = [f"UID {uid}"]
            if "RFC822.SIZE" in items:
                said.append(f"RFC822.SIZE {mail.size_told if mail.size_told is not None else len(mail.data)}")
            if "INTERNALDATE" in items:
                said.append(f'INTERNALDATE "{INTERNALDATE}"')
            if "FLAGS" in items:
                said.append(f"FLAGS ({' '.join(sorted(mail.flags))})")
            head = f"* {uid} FETCH ({' '.join(said)}".encode()
            section = b"BODY[HEADER]" if "HEADER" in items else b"BODY[]"
            body = mail.data if section == b"BODY[]" else mail.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
            if "BODY" not in items:
                out += head + b")\r\n"
            elif mail.bodiless:
                out += head + b" " + section + b" NIL)\r\n"
            else:
                out += head + b" " + section + b" {%d}\r\n" % len(body) + body + b")\r\n"
        return out

    def _uids(self, uid_set: str) -> list[int]:
        last = len(self.mails)
        chosen: set[int] = set()
        for piece in uid_set.split(","):
            low, _, high = piece.partition(":")
            start, end = (last if low == "*" else int(low)), (last if high == "*" else int(high or low))
            chosen |= set(range(min(start, end), max(start, end) + 1)) & set(range(1, last + 1))
        return sorted(chosen)


class _Refused(Exception):
    """The whole command answered NO, with this text."""
