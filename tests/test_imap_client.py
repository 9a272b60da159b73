"""The IMAP client against scripted servers that misbehave as a real one will not on demand: bytes sent in
the clear after STARTTLS's OK (a man in the middle's injection), a literal bigger than allowed."""

from __future__ import annotations

import asyncio
import ssl
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from services.intake.mail.imap import ImapClient, ImapClosed, LiteralTooBig
from testkit.dovecot import write_certificates
from testkit.fake_imap import serving


def starttls_server(home: Path, *, injected: bytes) -> AbstractAsyncContextManager[int]:
    """A server offering STARTTLS that sends `injected` in the clear right after its OK, in the same
    write, then speaks TLS with the certificate in `home`."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(home / "server.pem", home / "server.key")

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK ready\r\n")
        tag = (await reader.readline()).split()[0]  # CAPABILITY
        writer.write(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag + b" OK done\r\n")
        tag = (await reader.readline()).split()[0]  # STARTTLS
        writer.write(tag + b" OK Begin TLS negotiation now\r\n" + injected)
        await writer.drain()
        try:
            await writer.start_tls(server_context)
        except (ssl.SSLError, ConnectionError, OSError):
            return  # the client refused to go on
        tag = (await reader.readline()).split()[0]  # CAPABILITY, under TLS
        writer.write(b"* CAPABILITY IMAP4rev1 IDLE\r\n" + tag + b" OK done\r\n")
        await writer.drain()
        await reader.readline()

    return serving(script)


async def _connect(port: int, home: Path) -> ImapClient:
    context = ssl.create_default_context(cafile=str(home / "ca.pem"))
    return await ImapClient.connect("127.0.0.1", port, security="starttls", ssl_context=context, timeout=5)


async def test_capabilities_said_under_tls_are_those_read_after_starttls(tmp_path: Path) -> None:
    write_certificates(tmp_path)
    async with starttls_server(tmp_path, injected=b"") as port:
        client = await _connect(port, tmp_path)
        try:
            assert client.capabilities == {"IMAP4REV1", "IDLE"}
        finally:
            await client.close()


async def test_bytes_sent_in_the_clear_after_starttls_ok_are_refused(tmp_path: Path) -> None:
    write_certificates(tmp_path)
    async with starttls_server(tmp_path, injected=b"* CAPABILITY IMAP4rev1 AUTH=PLAIN INJECTED\r\n") as port:
        with pytest.raises(ImapClosed, match="bytes in the clear after STARTTLS's OK"):
            await _connect(port, tmp_path)


async def test_a_literal_over_the_limit_ends_the_connection_with_a_clear_error() -> None:
    async def lying(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK ready\r\n")
        tag = (await reader.readline()).split()[0]
        writer.write(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
        tag = (await reader.readline()).split()[0]  # UID FETCH: announces 2 GB, sends a few bytes
        writer.write(b"* 1 FETCH (UID 1 RFC822.SIZE 10 BODY[] {2000000000}\r\nshort)\r\n" + tag + b" OK done\r\n")
        await writer.drain()
        await reader.read()  # until the client closes

    async with serving(lying) as port:
        client = await ImapClient.connect(
            "127.0.0.1", port, security="none", ssl_context=None, timeout=5, max_literal=1024 * 1024
        )
        try:
            with pytest.raises(LiteralTooBig, match="literal of 2000000000 bytes, over the 1048576 allowed"):
                await client.uid_fetch("1", "(UID RFC822.SIZE BODY.PEEK[])")
        finally:
            await client.close()
