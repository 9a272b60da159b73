"""A local Alibaba Cloud SMS (dysmsapi 2017-05-25) that checks what a client sends as the provider
documents it and answers in the provider's shapes.

Each request's V3 signature is worked out again here from the raw request, following the published
algorithm (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature), not
with the product's code: the canonical request (method, path, the query's names and values
percent-encoded per RFC 3986 and sorted, every signed header, the body's SHA-256), its SHA-256 signed
with HMAC-SHA256 by the AccessKey secret. A wrong one is refused as the gateway refuses it
(`SignatureDoesNotMatch`, HTTP 400). SendSms then wants PhoneNumbers, SignName, TemplateCode and
TemplateParam (a JSON object with the template's variables, each within the length limit);
QuerySendDetails answers each text's delivery as the test set it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from testkit.receivers import serving

BEIJING = ZoneInfo("Asia/Shanghai")
AUTHORIZATION = re.compile(r"^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$")


@dataclass
class Texted:
    phone: str
    sign_name: str
    template: str
    params: dict[str, str]
    biz_id: str
    sent_at: datetime


@dataclass
class FakeAliyunSms:
    key_id: str
    secret: str
    sign_name: str
    templates: dict[str, set[str]]  # template code -> the variables it names
    url: str = ""
    max_chars: int = 35
    texted: list[Texted] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)  # phone -> the code SendSms answers
    outcomes: dict[str, tuple[int, str]] = field(default_factory=dict)  # phone -> (SendStatus, ErrCode)
    asked: list[dict[str, str]] = field(default_factory=list)  # each QuerySendDetails' parameters
    refused: list[str] = field(default_factory=list)  # each refusal's Code, in order
    nonces: set[str] = field(default_factory=set)
    clock: Callable[[], datetime] = lambda: datetime.now(BEIJING)  # the provider's: the day it dates a text by

    def to(self, phone: str) -> list[Texted]:
        return [t for t in self.texted if t.phone == phone]


def _gateway_refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"RequestId": str(uuid.uuid4()).upper(), "HostId": "dysmsapi.aliyuncs.com", "Code": code, "Message": message,
         "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code},
        status_code=status,
    )  # fmt: skip


def _encode(text: str) -> str:
    return "".join(
        chr(byte) if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "-_.~") else f"%{byte:02X}"
        for byte in text.encode("utf-8")
    )


def expected_signature(secret: str, method: str, raw_query: str, headers: dict[str, str], signed: list[str],
                       body: bytes) -> str:  # fmt: skip
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    query = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in sorted(pairs))
    canonical = "\n".join(
        [method, "/", query, "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed), ";".join(signed),
         hashlib.sha256(body).hexdigest()]
    )  # fmt: skip
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


async def _checked(fake: FakeAliyunSms, request: Request) -> JSONResponse | None:
    """The gateway's checks: the key, the signature over every x-acs- header and host, the body's hash,
    the time and a nonce used once."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    found = AUTHORIZATION.match(headers.get("authorization", ""))
    if found is None:
        return _gateway_refusal(400, "MissingAuthorization", "Authorization is mandatory for this action.")
    key_id, signed_text, given = found.groups()
    if key_id != fake.key_id:
        return _gateway_refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    signed = signed_text.split(";")
    required = {"host", *(name for name in headers if name.startswith("x-acs-"))}
    body = await request.body()
    if not required <= set(signed) or headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
        return _gateway_refusal(400, "IncompleteSignature", "The request signature does not conform to standards.")
    wanted = expected_signature(fake.secret, request.method, request.url.query, headers, signed, body)
    if not hmac.compare_digest(wanted, given):
        return _gateway_refusal(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
    stamped = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if abs(datetime.now(UTC) - stamped) > timedelta(minutes=15):
        return _gateway_refusal(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    nonce = headers.get("x-acs-signature-nonce", "")
    if not nonce or nonce in fake.nonces:
        return _gateway_refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    fake.nonces.add(nonce)
    if headers.get("x-acs-version") != "2017-05-25":
        return _gateway_refusal(400, "InvalidVersion", "Specified parameter Version is not valid.")
    return None


def _answer(code: str = "OK", message: str = "OK", **more: Any) -> JSONResponse:
    return JSONResponse({"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper(), **more})


def _send_sms(fake: FakeAliyunSms, params: dict[str, str]) -> JSONResponse:
    missing = [p for p in ("PhoneNumbers", "SignName", "TemplateCode", "TemplateParam") if not params.get(p)]
    if missing:
        return _answer("isv.INVALID_PARAMETERS", f"missing {', '.join(missing)}")
    phone = params["PhoneNumbers"]
    try:
        variables = json.loads(params["TemplateParam"])
    except ValueError:
        return _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    checks = (
        (not re.fullmatch(r"1\d{10}", phone), "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
        (params["SignName"] != fake.sign_name, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"),
        (params["TemplateCode"] not in fake.templates, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
        (not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()),
         "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
    )  # fmt: skip
    for wrong, code, message in checks:
        if wrong:
            fake.refused.append(code)
            return _answer(code, message)
    if not fake.templates[params["TemplateCode"]] <= set(variables):
        fake.refused.append("isv.TEMPLATE_MISSING_PARAMETERS")
        return _answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
    if any(len(value) > fake.max_chars for value in variables.values()):
        fake.refused.append("isv.PARAM_LENGTH_LIMIT")
        return _answer("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")
    if phone in fake.refusals:
        fake.refused.append(fake.refusals[phone])
        return _answer(fake.refusals[phone], "触发号码天级流控")
    biz_id = f"{uuid.uuid4().int % 10**15}^0"
    sent = Texted(
        phone,
        params["SignName"],
        params["TemplateCode"],
        variables,
        biz_id,
        fake.clock().astimezone(BEIJING).replace(microsecond=0),
    )
    fake.texted.append(sent)
    return _answer(BizId=biz_id)


def _query_send_details(fake: FakeAliyunSms, params: dict[str, str]) -> JSONResponse:
    fake.asked.append(params)
    if not params.get("PhoneNumber") or not params.get("SendDate") or not params.get("CurrentPage"):
        return _answer("isv.INVALID_PARAMETERS", "参数异常")
    found = [t for t in fake.to(params["PhoneNumber"]) if t.biz_id == params.get("BizId", t.biz_id)]
    found = [t for t in found if f"{t.sent_at:%Y%m%d}" == params["SendDate"]]
    details = []
    for text in found:
        status, error = fake.outcomes.get(text.phone, (1, ""))
        received = text.sent_at + timedelta(seconds=3)
        details.append({
            "PhoneNum": text.phone, "SendStatus": status, "ErrCode": error, "TemplateCode": text.template,
            "Content": f"【{text.sign_name}】…", "SendDate": f"{text.sent_at:%Y-%m-%d %H:%M:%S}",
            "ReceiveDate": f"{received:%Y-%m-%d %H:%M:%S}" if status != 1 else "", "OutId": "",
        })  # fmt: skip
    return _answer(TotalCount=len(details), SmsSendDetailDTOs={"SmsSendDetailDTO": details})


@asynccontextmanager
async def fake_aliyun_sms(**terms: Any) -> AsyncIterator[FakeAliyunSms]:
    fake = FakeAliyunSms(**terms)

    async def api(request: Request) -> JSONResponse:
        refused = await _checked(fake, request)
        if refused is not None:
            fake.refused.append(json.loads(bytes(refused.body))["Code"])
            return refused
        params = dict(urllib.parse.parse_qsl(request.url.query, keep_blank_values=True))
        action = request.headers.get("x-acs-action")
        if action == "SendSms":
            return _send_sms(fake, params)
        if action == "QuerySendDetails":
            return _query_send_details(fake, params)
        return _gateway_refusal(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")

    async with serving(Starlette(routes=[Route("/", api, methods=["POST", "GET"])])) as base:
        fake.url = base
        yield fake
