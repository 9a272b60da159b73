"""Alibaba Cloud SMS (dysmsapi 2017-05-25) as plain functions: the request signature, what a notice's
template variables say, which of the provider's refusals are worth trying again, and what a delivery
report (`QuerySendDetails`) means.

The signature is Alibaba Cloud's V3 (`ACS3-HMAC-SHA256` in the Authorization header), which the official
SDK (alibabacloud_dysmsapi20170525 on alibabacloud_tea_openapi) uses for every call unless told to use
the old V2 (HMAC-SHA1 `Signature` in the query):
https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature
(English: https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

ALGORITHM = "ACS3-HMAC-SHA256"
VERSION = "2017-05-25"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
BEIJING = ZoneInfo("Asia/Shanghai")  # the provider's dates (SendDate, ReceiveDate) are Beijing time


def percent_encode(text: str) -> str:
    """RFC 3986 as the signature wants it: UTF-8, every byte but A-Z a-z 0-9 - _ . ~ as %XX (so a space
    is %20, never +, and * is %2A)."""
    return urllib.parse.quote(text, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The query as signed (and as sent): names in order, each name and value percent-encoded."""
    return "&".join(f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """The headers the signature covers: host, content-type and every x-acs- header, lower case, in order."""
    names = {name.lower() for name in headers}
    return sorted(n for n in names if n in ("host", "content-type") or n.startswith("x-acs-"))


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body_sha256: str
) -> str:
    lower = {name.lower(): value.strip() for name, value in headers.items()}
    signed = signed_header_names(headers)
    return "\n".join(
        [
            method.upper(),
            urllib.parse.quote(path or "/", safe="/~"),
            canonical_query(query),
            "".join(f"{name}:{lower[name]}\n" for name in signed),
            ";".join(signed),
            body_sha256,
        ]
    )


def signature(secret: str, canonical: str) -> str:
    """HMAC-SHA256, keyed by the AccessKey secret, of "ACS3-HMAC-SHA256\\n" + hex SHA-256 of the request."""
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def authorization(
    key_id: str, secret: str, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> str:
    """The Authorization header of a request without a body (the SDK sends dysmsapi's parameters in the query)."""
    canonical = canonical_request(method, path, query, headers, headers.get("x-acs-content-sha256", EMPTY_BODY_SHA256))
    signed = ";".join(signed_header_names(headers))
    return f"{ALGORITHM} Credential={key_id},SignedHeaders={signed},Signature={signature(secret, canonical)}"


# A template's variables may not hold the brackets of a signature (【】), and a line break would end the
# text early on some phones.
UNSENDABLE = re.compile(r"[【】\[\]\r\n\t]+")


def variable(value: str | None, max_chars: int) -> str:
    """A template variable: cleaned, cut to `max_chars` characters (… where cut), never empty."""
    text = " ".join(UNSENDABLE.sub(" ", value or "").split()) or "-"
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def template_params(
    names: Iterable[str], *, subject: str, ticket_id: str | None, site: str | None, max_chars: int
) -> dict[str, str]:
    """The variables a notice's template names, from the notice: its headline, ticket and site."""
    known = {"subject": subject, "ticket": ticket_id, "site": site}
    return {name: variable(known[name], max_chars) for name in names}


# Refusals that pass: the provider's flow control (per number a minute, an hour, a day), an account run
# dry or suspended for arrears until someone pays, the provider's own faults. Every other refusal (a
# number, signature, template or parameter it will not take, a key it does not know) stays refused.
PASSING = {
    "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE",
    "isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "SignatureNonceUsed",
}  # fmt: skip
PASSING_PREFIXES = ("Throttling", "ServiceUnavailable", "InternalError", "InvalidTimeStamp")


def refusal_is_final(code: str) -> bool:
    return code not in PASSING and not code.startswith(PASSING_PREFIXES)


@dataclass(frozen=True)
class Receipt:
    """What the provider knows of one text's delivery."""

    state: Literal["waiting", "delivered", "not_delivered"]
    at: datetime | None = None  # when the carrier reported it (ReceiveDate)
    error: str | None = None  # the carrier's code for a failure (ErrCode), e.g. MOBILE_NOT_ON_SERVICE


def details_of(answer: Mapping[str, Any], biz_id: str) -> list[Mapping[str, Any]]:
    """What a `QuerySendDetails` answer lists of the text `biz_id`: nothing when it has no such text that day."""
    listed = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
    return [d for d in listed if not d.get("BizId") or d.get("BizId") == biz_id]


def receipt_from(answer: Mapping[str, Any], biz_id: str) -> Receipt:
    """A `QuerySendDetails` answer read for the text `biz_id` asked about: SendStatus 1 waiting for the
    carrier, 2 failed, 3 delivered. None listed yet (just sent) is waiting too."""
    details = details_of(answer, biz_id)
    if not details:
        return Receipt("waiting")
    found = details[0]
    status = int(found.get("SendStatus") or 1)
    at = beijing_time(found.get("ReceiveDate"))
    if status == 3:
        return Receipt("delivered", at)
    if status == 2:
        return Receipt("not_delivered", at, str(found.get("ErrCode") or "failed"))
    return Receipt("waiting")


def beijing_time(text: str | None) -> datetime | None:
    """ "2026-12-07 18:42:13", Beijing time, as a moment."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


NEAR_MIDNIGHT = timedelta(minutes=5)
"""How close to midnight in Beijing a text may be dated by the provider's clock on the other day than ours."""


def send_dates(accepted_at: datetime, near: timedelta = NEAR_MIDNIGHT) -> list[str]:
    """The days to ask for a text the provider took at `accepted_at` by, as QuerySendDetails wants them
    (yyyyMMdd, Beijing time), in order: its day in Beijing; and, when that moment is within `near` of
    midnight, the day on the other side of it too, for the provider dated it by its own clock, a moment
    before our answer came (or after, its clock ahead of ours)."""
    local = accepted_at.astimezone(BEIJING)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    days = [local.date()]
    if local - midnight < near:
        days.append(local.date() - timedelta(days=1))
    elif midnight + timedelta(days=1) - local <= near:
        days.append(local.date() + timedelta(days=1))
    return [f"{day:%Y%m%d}" for day in days]
