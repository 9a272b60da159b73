"""Alibaba Cloud SMS (dysmsapi 2017-05-25), the provider most Chinese integrators have: `SendSms` with
the notice's registered template and its variables, `QuerySendDetails` for a text's delivery receipt.

Written against the HTTP API with httpx rather than with the official SDK (alibabacloud_dysmsapi20170525):
the SDK is synchronous at heart (its async calls run on its own Tea runtime and aiohttp), brings half a
dozen packages (credentials, tea-util, openapi-util, gateway-spi, cryptography pinned ranges) for two calls,
and would give us no more than the signature, which is a page of pure code checked against the
provider's own published example (services/notify/tests/test_providers.py). Requests are signed as
the SDK signs them today (V3, ACS3-HMAC-SHA256), with the parameters in the query and no body."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx

from services.notify.channels import NotSent, mobile_digits
from services.notify.domain import aliyun_sms as rules
from services.notify.domain.aliyun_sms import Receipt
from services.notify.settings import NotifySettings
from services.notify.sms import TextMessage
from shared.contracts.notices import NoticeKind


class AliyunSms:
    """Sends each notice with its template (NOTIFY_ALIYUN_SMS_TEMPLATE_CODE, or its kind's own) and asks
    for its receipt. A refusal (`Code` other than OK) is NotSent with the provider's code and message;
    one that trying again cannot mend (a number or template it will not take) is final."""

    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def send_notice(self, message: TextMessage) -> str | None:
        settings = self.settings
        kind = NoticeKind(message.kind) if message.kind in NoticeKind.__members__.values() else None
        template = settings.aliyun_sms_templates.get(kind) if kind else None
        variables = rules.template_params(
            settings.aliyun_sms_template_params, subject=message.subject, ticket_id=message.ticket_id,
            site=message.site, max_chars=settings.aliyun_sms_param_max_chars,
        )  # fmt: skip
        params = {
            "PhoneNumbers": mobile_digits(message.phone),
            "SignName": settings.aliyun_sms_sign_name or "",
            "TemplateCode": template or settings.aliyun_sms_template_code or "",
            "TemplateParam": json.dumps(variables, ensure_ascii=False, separators=(",", ":")),
        }
        answer = await self._call("SendSms", params)
        biz_id = answer.get("BizId")
        return str(biz_id) if biz_id else None

    async def receipt(self, phone: str, message_id: str, sent_at: datetime) -> Receipt:
        """The text's receipt, asked for by the day it was sent (`sent_at`: when the provider took it);
        near midnight, by the other day too when the first lists nothing of it."""
        for day in rules.send_dates(sent_at):
            params = {"PhoneNumber": mobile_digits(phone), "BizId": message_id, "SendDate": day,
                      "PageSize": "10", "CurrentPage": "1"}  # fmt: skip
            answer = await self._call("QuerySendDetails", params)
            if rules.details_of(answer, message_id):
                return rules.receipt_from(answer, message_id)
        return Receipt("waiting")  # nothing listed yet, either day

    async def _call(self, action: str, params: dict[str, str]) -> dict[str, Any]:
        """One signed call; its answer when `Code` is OK, NotSent otherwise."""
        settings = self.settings
        endpoint = httpx.URL(settings.aliyun_sms_endpoint)
        headers = {
            "host": endpoint.netloc.decode(),
            "x-acs-action": action,
            "x-acs-version": rules.VERSION,
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": secrets.token_hex(16),
            "x-acs-content-sha256": rules.EMPTY_BODY_SHA256,
        }
        secret = settings.aliyun_access_key_secret.get_secret_value() if settings.aliyun_access_key_secret else ""
        headers["Authorization"] = rules.authorization(
            settings.aliyun_access_key_id or "", secret, "POST", "/", params, headers
        )
        url = str(endpoint.copy_with(path="/", query=rules.canonical_query(params).encode()))
        try:
            answer = await self.client.post(url, headers={**headers, "accept": "application/json"})
        except httpx.HTTPError as error:
            raise NotSent(f"Aliyun SMS: {type(error).__name__}: {error}") from error
        try:
            said: dict[str, Any] = answer.json()
        except ValueError:
            raise NotSent(f"Aliyun SMS answered {answer.status_code} without JSON") from None
        if not said.get("Code"):  # not the provider speaking (a proxy, a gateway in trouble): try again later
            raise NotSent(f"Aliyun SMS answered {answer.status_code} without a code")
        code = str(said["Code"])
        if code != "OK":
            reason = f"Aliyun SMS refused: {code} {said.get('Message') or ''}".strip()
            raise NotSent(reason, final=rules.refusal_is_final(code), code=code)
        return said
