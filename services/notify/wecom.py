"""WeCom application messages (企业微信 应用消息) to one person, by their WeCom userid: the company's
application speaks to them alone, where a group robot can only mention them in a group.

The application's access_token (`GET /cgi-bin/gettoken?corpid=&corpsecret=`) is kept until it expires
(`expires_in`, two hours) and fetched again at once when WeCom says it is no longer good (40014 invalid,
42001 expired); then `POST /cgi-bin/message/send?access_token=` with `touser`, `agentid` and the text.
A person WeCom does not know (`invaliduser` in its answer, or 81013 when nobody was valid) is not
delivered, finally: trying again would not find them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from services.notify.channels import NotSent, Outgoing, Taken
from services.notify.settings import NotifySettings

TOKEN_NO_LONGER_GOOD = {40014, 42001, 40001}  # invalid, expired; 40001 also when the secret was changed
CREDENTIALS_REFUSED = {40013, 40001, 40056}  # the corp id, the secret, the agent id: an administrator's to fix
NOBODY_VALID = 81013  # "user & party & tag all invalid"
TEXT_LIMIT_BYTES = 2048  # a text message's content, as WeCom measures it


def within_bytes(text: str, limit: int) -> str:
    """The text cut to `limit` UTF-8 bytes without splitting a character."""
    encoded = text.encode()
    return text if len(encoded) <= limit else encoded[: limit - 3].decode(errors="ignore") + "…"


class WeComApp:
    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.base = settings.wecom_endpoint.rstrip("/")
        self._token: str | None = None
        self._expires_at = 0.0  # time.monotonic()
        self._fetching = asyncio.Lock()  # notifications sent at once share one fetch

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
            raise NotSent(f"WeCom refused: {errcode} {said.get('errmsg', '')}".strip(), code=str(errcode))
        return Taken(str(said["msgid"]) if said.get("msgid") else None)

    async def _access_token(self, *, stale: str | None = None) -> str:
        """The application's token: the one kept while it lasts, unless it is `stale` (WeCom refused it)."""
        async with self._fetching:
            if self._token and self._token != stale and time.monotonic() < self._expires_at:
                return self._token
            secret = self.settings.wecom_secret.get_secret_value() if self.settings.wecom_secret else ""
            said = await self._json(
                "get", f"{self.base}/cgi-bin/gettoken", params={"corpid": self.settings.wecom_corp_id,
                                                                "corpsecret": secret},
            )  # fmt: skip
            errcode = said.get("errcode", 0)
            if errcode != 0 or not said.get("access_token"):
                final = errcode in CREDENTIALS_REFUSED
                raise NotSent(f"WeCom gave no token: {errcode} {said.get('errmsg', '')}".strip(), final=final,
                              code=str(errcode))  # fmt: skip
            # Kept a minute less than WeCom says, so that it is not used in the moment it runs out.
            lifetime = float(said.get("expires_in") or 7200)
            self._token = str(said["access_token"])
            self._expires_at = time.monotonic() + max(lifetime - 60, lifetime / 2)
            return self._token

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
