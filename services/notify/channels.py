"""The ways a notification reaches a person: e-mail over SMTP, a WeCom or DingTalk group robot (a JSON
POST that mentions the person by their mobile number); text messages through a provider (sms.py) and
WeCom application messages to one person (wecom.py).

Each channel sends one notification, saying what the provider took it as (`Taken`), or raises NotSent
with the reason, which is recorded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from services.notify.settings import NotifySettings
from shared import outgoing_mail
from shared.logs import get_logger

log = get_logger(__name__)


class NotSent(Exception):
    """Why a notification did not go. `final`: trying again will not help (nothing configured, a number
    or a person the provider does not know); `code`: the provider's own code for it, if it gave one."""

    def __init__(self, reason: str, *, final: bool = False, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final = final
        self.code = code


@dataclass(frozen=True)
class Outgoing:
    address: str  # the e-mail address, the robot's webhook, the mobile number, the WeCom userid
    subject: str
    body: str
    phone: str | None = None  # whom a robot's message mentions
    robot_kind: str | None = None
    robot_secret: str | None = None
    kind: str = ""  # the kind of notice: a text message provider picks its template by it
    ticket_id: str | None = None
    site: str | None = None  # the site's name in the person's language (its code if notify has none)


@dataclass(frozen=True)
class Taken:
    """What a provider answered when it took a message: its id for it (Aliyun's BizId, WeCom's msgid),
    whether it will report its delivery (a receipt to ask for later), and when it answered (the sender's
    clock, once the answer came)."""

    message_id: str | None = None
    receipt_expected: bool = False
    accepted_at: datetime | None = None


class Sender(Protocol):
    async def send(self, message: Outgoing) -> Taken | None: ...


class Email:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> None:  # an SMTP server's 250 says nothing of the inbox
        settings = self.settings
        server = settings.mail_server(timeout=settings.notice_timeout_seconds)
        if server is None:
            raise NotSent("no mail server is configured (NOTIFY_SMTP_HOST)", final=True)
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = settings.mail_from, message.address, message.subject
        # A reply to a notice about a ticket finds that ticket at the e-mail hotline (shared/outgoing_mail.py).
        mail["Message-ID"] = outgoing_mail.message_id("notice", message.ticket_id, "aftercare")
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: an out-of-office never answers it
        mail.set_content(message.body)
        try:
            await outgoing_mail.send(mail, server)
        except outgoing_mail.MailNotSent as refused:
            raise NotSent(refused.reason) from refused


def mobile_digits(phone: str) -> str:
    """A mobile number as the robots match it: digits only, without China's country code."""
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def dingtalk_signed(url: str, secret: str, now_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "<timestamp>\\n<secret>" keyed by the secret, in the query."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


class Robot:
    """A group robot's webhook: WeCom answers {"errcode": 0} and DingTalk the same when it took the message."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, message: Outgoing) -> None:
        text = f"{message.subject}\n{message.body}"
        mentioned = [mobile_digits(message.phone)] if message.phone else []
        url = message.address
        payload: dict[str, Any]
        if message.robot_kind == "dingtalk":
            payload = {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": mentioned}}
            if message.robot_secret:
                url = dingtalk_signed(url, message.robot_secret, int(time.time() * 1000))
        else:
            payload = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mentioned}}
        try:
            answer = await self.client.post(url, json=payload)
        except httpx.HTTPError as error:
            raise NotSent(f"robot: {type(error).__name__}: {error}") from error
        if not answer.is_success:
            raise NotSent(f"robot answered {answer.status_code}")
        try:
            said = answer.json()
        except ValueError:
            raise NotSent("robot answered without JSON") from None
        if said.get("errcode", 0) != 0:
            raise NotSent(f"robot refused: {said.get('errcode')} {said.get('errmsg', '')}".strip())
