"""A local WeCom (企业微信) API for application messages, answering as WeCom documents: `gettoken` gives
an access_token for the company's id and the application's secret, which `message/send` wants; a token
the test expires is refused with 42001, and a userid that is no member comes back in `invaliduser`
(81013 when nobody was valid). A test can make gettoken slow (`token_gate`) or refuse (`token_refusal`),
and message/send answer an error code of its choosing (`send_refusal`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from testkit.receivers import serving


@dataclass
class FakeWeCom:
    corp_id: str
    secret: str
    agent_id: int
    members: set[str]
    url: str = ""
    expires_in: int = 7200
    tokens_given: int = 0
    token: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)  # each message taken
    refused_tokens: int = 0  # sends refused for an invalid or expired token
    token_requests: int = 0  # gettoken calls, answered or not
    token_gate: asyncio.Event | None = None  # set: gettoken answers once it is set
    token_refusal: dict[str, Any] | None = None  # what gettoken answers instead of a token, e.g. errcode -1
    send_refusal: tuple[int, str] | None = None  # (errcode, errmsg) message/send answers to a good token

    def expire(self) -> None:
        """The token given runs out (as after two hours): the next send with it is refused."""
        self.token = None

    def to(self, userid: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["touser"] == userid]


@asynccontextmanager
async def fake_wecom(**terms: Any) -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom(**terms)

    async def gettoken(request: Request) -> JSONResponse:
        fake.token_requests += 1
        if fake.token_gate is not None:
            await fake.token_gate.wait()
        if fake.token_refusal is not None:
            return JSONResponse(fake.token_refusal)
        if request.query_params.get("corpid") != fake.corp_id:
            return JSONResponse({"errcode": 40013, "errmsg": "invalid corpid"})
        if request.query_params.get("corpsecret") != fake.secret:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        fake.tokens_given += 1
        fake.token = f"token-{fake.tokens_given}-{uuid.uuid4().hex}"
        return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": fake.token, "expires_in": fake.expires_in})

    async def send(request: Request) -> JSONResponse:
        if request.query_params.get("access_token") != fake.token or fake.token is None:
            fake.refused_tokens += 1
            return JSONResponse({"errcode": 42001, "errmsg": "access_token expired"})
        if fake.send_refusal is not None:
            errcode, errmsg = fake.send_refusal
            return JSONResponse({"errcode": errcode, "errmsg": errmsg})
        said = await request.json()
        if said.get("agentid") != fake.agent_id:
            return JSONResponse({"errcode": 40056, "errmsg": "invalid agentid"})
        if said.get("msgtype") != "text" or not said.get("text", {}).get("content"):
            return JSONResponse({"errcode": 44004, "errmsg": "empty content"})
        wanted = str(said.get("touser", "")).split("|")
        invalid = [u for u in wanted if u not in fake.members]
        if len(invalid) == len(wanted):
            answer = {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": "|".join(invalid)}
            return JSONResponse(answer)
        fake.messages.append(said)
        msgid = uuid.uuid4().hex
        return JSONResponse({"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid})

    routes = [Route("/cgi-bin/gettoken", gettoken, methods=["GET"]), Route("/cgi-bin/message/send", send,
              methods=["POST"])]  # fmt: skip
    async with serving(Starlette(routes=routes)) as base:
        fake.url = base
        yield fake
