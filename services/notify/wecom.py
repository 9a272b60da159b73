"""WeCom application messages (企业微信 应用消息) to one person, by their WeCom userid: the company's
application speaks to them alone, where a group robot can only mention them in a group.

The application's access_token (`GET /cgi-bin/gettoken?corpid=&corpsecret=`) is kept until it expires
(`expires_in`, two hours) and fetched again at once when WeCom says it is no longer good (40014 invalid,
42001 expired); then `POST /cgi-bin/message/send?access_token=` with `touser`, `agentid` and the text.
A person WeCom does not know (`invaliduser` in its answer, or 81013 when nobody was valid) is not
delivered, finally: trying again would not find them; nor is a message WeCom refuses for how it is set
up (REFUSED_FOR_GOOD), which an administrator has to mend.

Sends that need a token at the same moment share one fetch, and its failure: when WeCom is away, a batch
of sends costs one gettoken (not one each, one after another, which outlived the sender's lease), and
for a few seconds after it the sends fail at once without asking again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from services.notify.channels import NotSent, Outgoing, Taken
from services.notify.settings import NotifySettings

TOKEN_NO_LONGER_GOOD = {40014, 42001, 40001}  # invalid, expired; 40001 also when the secret was changed
NOBODY_VALID = 81013  # "user & party & tag all invalid"
TEXT_LIMIT_BYTES = 2048  # a text message's content, as WeCom measures it
FAILED_FETCH_KEPT_SECONDS = 5.0  # how long a failed gettoken answers for the sends after it

# WeCom's answers that trying again cannot mend, from its global error codes (全局错误码,
# https://developer.work.weixin.qq.com/document/path/90313): the company's or the application's settings,
# an administrator's to fix, and a message WeCom would refuse again as it is. Any other errcode (-1 busy,
# 45009 and 45033 its limits, a network fault) is tried again later.
REFUSED_FOR_GOOD = {
    40001,  # 不合法的secret参数: the application's secret (at message/send: still, with a token just fetched)
    40013,  # 不合法的CorpID
    40056,  # 不合法的agentid
    48002,  # API接口无权限调用: the application may not send messages
    60020,  # 不安全的访问IP: notify's address is not among the application's trusted IPs (企业可信IP)
    301002,  # 无权限操作指定的应用: the secret is another application's than the agent id's
    60011,  # 指定的成员/部门/标签参数无权限: the person is outside the application's visible range
    40003,  # 无效的UserID
    40008,  # 不合法的msgtype参数
    44004,  # 文本消息content参数为空
    45002,  # 消息内容大小超过限制
}


def within_bytes(text: str, limit: int) -> str:
    """The text cut to `limit` UTF-8 bytes without splitting a character."""
    encoded = text.encode()
    return text if len(encoded) <= limit else encoded[: limit - 3].decode(errors="ignore") + "…"


class WeComApp:
    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.base = settings.wecom_endpoint.rstrip("/")
        self.clock = time.monotonic
        self._token: str | None = None
        self._expires_at = 0.0  # on self.clock
        self._fetching: asyncio.Task[str] | None = None  # the fetch under way, which every send waiting shares
        self._failed: NotSent | None = None  # how the last fetch failed, answered until _failed_until
        self._failed_until = 0.0

    async def send(self, message: Outgoing) -> Taken:
        settings = self.settings
        if not settings.wecom_configured:
            raise NotSent("WeCom application messages are not configured (NOTIFY_WECOM_CORP_ID)", final=True)
        payload = {
            "touser": message.address, "msgtype": "text", "agentid": settings.wecom_agent_id,
            "text": {"content": within_bytes(f"{message.subject}\n{message.body}", TEXT_LIMIT_BYTES)},
        }  # fmt: skip
        token = await self._access_token()
        said = await self._post_message(token, payload)
        if said.get("errcode") in TOKEN_NO_LONGER_GOOD:  # once: a token that fails twice is not the reason
            said = await self._post_message(await self._access_token(stale=token), payload)
        errcode = said.get("errcode", 0)
        unlicensed = message.address in str(said.get("unlicenseduser") or "").split("|")
        if errcode == NOBODY_VALID or unlicensed or message.address in str(said.get("invaliduser") or "").split("|"):
            code = "unlicenseduser" if unlicensed else "invaliduser"
            raise NotSent(f"not delivered: WeCom has no member {message.address} ({code})", final=True, code=code)
        if errcode != 0:
            reason = f"WeCom refused: {errcode} {said.get('errmsg', '')}".strip()
            raise NotSent(reason, final=errcode in REFUSED_FOR_GOOD, code=str(errcode))
        return Taken(str(said["msgid"]) if said.get("msgid") else None)

    async def _access_token(self, *, stale: str | None = None) -> str:
        """The application's token: the one kept while it lasts, unless it is `stale` (WeCom refused it);
        else the fetch under way, or a new one; or, for a few seconds after a fetch failed, its failure."""
        if self._token and self._token != stale and self.clock() < self._expires_at:
            return self._token
        if self._failed is not None and self.clock() < self._failed_until:
            raise _again(self._failed)
        if self._fetching is None:
            self._fetching = asyncio.create_task(self._fetch_token(), name="WeCom access token")
            self._fetching.add_done_callback(self._fetched)
        try:  # shielded: a send cut off while it waits does not cut off the others' fetch
            return await asyncio.shield(self._fetching)
        except NotSent as failure:
            raise _again(failure) from None

    async def _fetch_token(self) -> str:
        secret = self.settings.wecom_secret.get_secret_value() if self.settings.wecom_secret else ""
        said = await self._json(
            "get", f"{self.base}/cgi-bin/gettoken", params={"corpid": self.settings.wecom_corp_id,
                                                            "corpsecret": secret},
        )  # fmt: skip
        errcode = said.get("errcode", 0)
        if errcode != 0 or not said.get("access_token"):
            raise NotSent(f"WeCom gave no token: {errcode} {said.get('errmsg', '')}".strip(),
                          final=errcode in REFUSED_FOR_GOOD, code=str(errcode))  # fmt: skip
        # Kept a minute less than WeCom says, so that it is not used in the moment it runs out.
        lifetime = float(said.get("expires_in") or 7200)
        self._token = str(said["access_token"])
        self._expires_at = self.clock() + max(lifetime - 60, lifetime / 2)
        return self._token

    def _fetched(self, fetch: asyncio.Task[str]) -> None:
        """The fetch is over: the next send that needs a token starts another, unless it failed just now."""
        self._fetching = None
        failure = None if fetch.cancelled() else fetch.exception()  # read here, so never "never retrieved"
        if failure is None:
            self._failed = None
            return
        self._failed = failure if isinstance(failure, NotSent) else NotSent(f"WeCom: {type(failure).__name__}")
        self._failed_until = self.clock() + FAILED_FETCH_KEPT_SECONDS

    async def _post_message(self, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._json("post", f"{self.base}/cgi-bin/message/send", params={"access_token": token},
                                json=payload)  # fmt: skip

    async def _json(self, method: str, url: str, **request: Any) -> dict[str, Any]:
        try:
            answer = await self.client.request(method.upper(), url, **request)
        except httpx.HTTPError as error:
            raise NotSent(f"WeCom: {type(error).__name__}: {error}") from error
        if not answer.is_success:
            raise NotSent(f"WeCom answered {answer.status_code}")
        try:
            said: dict[str, Any] = answer.json()
        except ValueError:
            raise NotSent("WeCom answered without JSON") from None
        return said


def _again(failure: NotSent) -> NotSent:
    """The same failure for another send (one exception raised in many tasks would share its traceback)."""
    return NotSent(failure.reason, final=failure.final, code=failure.code)
