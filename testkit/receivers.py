"""Local stand-ins for what the suite sends to outside itself: an HTTP receiver (a customer's webhook
endpoint, a WeCom or DingTalk group robot), a mail server, and a text message provider. Each keeps what
it received for the test to read."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, ClassVar

import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from testkit.processes import free_port
from testkit.waiting import eventually


@dataclass
class Receiver:
    """Takes POSTs at `url` and answers each with `answer` (and `body`, JSON text, if set)."""

    url: str
    answer: int = 200
    body: str | None = None
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # each request's query string


@asynccontextmanager
async def http_receiver(path: str = "/aftercare") -> AsyncIterator[Receiver]:
    async def take(request: Request) -> Response:
        kept.received.append((dict(request.headers), await request.body()))
        kept.queries.append(request.url.query)
        return Response(kept.body, status_code=kept.answer, media_type="application/json" if kept.body else None)

    async with serving(Starlette(routes=[Route(path, take, methods=["POST"])])) as base:
        kept = Receiver(f"{base}{path}")
        yield kept


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """An ASGI app under uvicorn on a free local port, for as long as the block runs: its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, timeout=10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class MailServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@asynccontextmanager
async def mail_server() -> AsyncIterator[MailServer]:
    """An SMTP server on a free local port (aiosmtpd, in its own thread), keeping every message."""
    kept = MailServer("127.0.0.1", free_port())
    controller = Controller(kept, hostname=kept.host, port=kept.port)
    controller.start()
    try:
        yield kept
    finally:
        controller.stop()


class RecordedSms:
    """A text message provider that keeps what it sends (NOTIFY_SMS_PROVIDER=testkit.receivers:RecordedSms)."""

    sent: ClassVar[list[tuple[str, str]]] = []

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
