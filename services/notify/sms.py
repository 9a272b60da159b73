"""Text messages, through a provider behind a small interface (NOTIFY_SMS_PROVIDER): `log` writes each
to the log; `aliyun` sends them through Alibaba Cloud SMS (aliyun_sms.py) and asks for their delivery
receipts; any other provider is a class named by its import path.

A provider that sends free text has `send(phone, text)`. One that sends registered templates, as Chinese
providers do, has `send_notice(TextMessage)` instead, which returns its id for the text; if it also has
`receipt(phone, message_id, sent_at)`, the receipt poller (receipts.py) asks it how the text went."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

import httpx

from services.notify.channels import NotSent, Outgoing, Taken, mobile_digits
from services.notify.domain.aliyun_sms import Receipt
from services.notify.settings import NotifySettings
from shared.logs import get_logger

log = get_logger(__name__)


class SmsProvider(Protocol):
    """A text message provider that sends free text: sends `text` to `phone` or raises."""

    async def send(self, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class TextMessage:
    """A notice as a provider of registered templates needs it: what it is about, not only its words."""

    phone: str
    text: str  # the whole text, as a free-text provider would send it
    subject: str
    kind: str
    ticket_id: str | None
    site: str | None


@runtime_checkable
class TemplatedSms(Protocol):
    """A provider that sends a registered template: returns its id for the text, or raises (NotSent)."""

    async def send_notice(self, message: TextMessage) -> str | None: ...


@runtime_checkable
class ReceiptSource(Protocol):
    """A provider that reports each text's delivery when asked; `sent_at` is when it took the text (the
    moment its answer came)."""

    async def receipt(self, phone: str, message_id: str, sent_at: datetime) -> Receipt: ...


class LoggingSms:
    """No provider signed up: each text message is written to the log, for someone to see it went; to
    whom by the number's last four digits only (the log is no place for phone numbers)."""

    async def send(self, phone: str, text: str) -> None:
        log.info("text message", to=f"…{mobile_digits(phone)[-4:]}", text=text)


def sms_provider(settings: NotifySettings, client: httpx.AsyncClient) -> SmsProvider | TemplatedSms:
    """`log`, `aliyun`, or `package.module:Class` made with no arguments (it reads its own configuration)."""
    setting = settings.sms_provider
    if setting == "log":
        return LoggingSms()
    if setting == "aliyun":
        from services.notify.aliyun_sms import AliyunSms  # here: it imports this module

        return AliyunSms(settings, client)
    module, _, name = setting.partition(":")
    provider: SmsProvider | TemplatedSms = getattr(importlib.import_module(module), name)()
    return provider


def text_of(message: Outgoing) -> str:
    return f"【Aftercare】{message.subject}：{message.body}"


class Sms:
    def __init__(self, provider: SmsProvider | TemplatedSms) -> None:
        self.provider = provider

    async def send(self, message: Outgoing) -> Taken | None:
        provider = self.provider
        try:
            if isinstance(provider, TemplatedSms):
                notice = TextMessage(message.address, text_of(message), message.subject, message.kind,
                                     message.ticket_id, message.site)  # fmt: skip
                message_id = await provider.send_notice(notice)
                receipts = message_id is not None and isinstance(provider, ReceiptSource)
                return Taken(message_id, receipt_expected=receipts)
            await provider.send(message.address, text_of(message))
        except NotSent:
            raise
        except Exception as error:
            raise NotSent(f"text message provider: {type(error).__name__}: {error}") from error
        return None
