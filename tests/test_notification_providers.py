"""Real providers behind the channels, each against a local stand-in that checks requests as the provider
documents them (testkit/aliyun_fake.py, testkit/wecom_fake.py): Alibaba Cloud SMS signed (V3) with the
notice's template, its delivery receipt asked for and recorded, delivered or not with the carrier's
code, a refusal recorded with the provider's; WeCom application messages to one person, the token
fetched once and used again, fetched once more when WeCom says it expired, a userid WeCom does not
know recorded as not delivered. All through the notify service: a notice decided arrives on the
broker, the sender sends, the poller asks, the HTTP API shows it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from services.notify.aliyun_sms import AliyunSms
from services.notify.channels import NotSent
from services.notify.db.tables import sites
from services.notify.settings import NotifySettings
from services.notify.sms import TextMessage
from shared.contracts import SiteDescribed
from shared.contracts.envelope import seal
from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from testkit.aliyun_fake import FakeAliyunSms, fake_aliyun_sms
from testkit.broker import send_envelopes
from testkit.database import fetch_all
from testkit.in_process import RunningService, running
from testkit.waiting import eventually
from testkit.wecom_fake import FakeWeCom, fake_wecom
from testkit.world import World

SITE = "PRV1"  # a site of this module's own: only its notices and people
LONG_NAME = "汇海广场二期北区地下一层至地上十二层全部公共区域及停车场与屋顶花园和东西两侧的连廊"  # over 35 characters
TEMPLATE = "SMS_900001"
ALIYUN = {"key_id": "LTAI5tTestKey", "secret": "test-secret-不给别人", "sign_name": "汇海售后"}
BEIJING = ZoneInfo("Asia/Shanghai")
WECOM = {"corp_id": "ww0123456789", "secret": "app-secret", "agent_id": 1000002}


@pytest.fixture
async def aliyun() -> AsyncIterator[FakeAliyunSms]:
    async with fake_aliyun_sms(**ALIYUN, templates={TEMPLATE: {"subject", "site"}}) as fake:
        yield fake


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    async with fake_wecom(**WECOM, members={"ZhangSan", "LiSi"}) as fake:
        yield fake


def _settings(aliyun_url: str, wecom_url: str = "http://127.0.0.1:9") -> dict[str, Any]:
    return {
        "sms_provider": "aliyun", "aliyun_access_key_id": ALIYUN["key_id"],
        "aliyun_access_key_secret": ALIYUN["secret"], "aliyun_sms_sign_name": ALIYUN["sign_name"],
        "aliyun_sms_template_code": TEMPLATE, "aliyun_sms_endpoint": aliyun_url,
        "wecom_corp_id": WECOM["corp_id"], "wecom_agent_id": WECOM["agent_id"], "wecom_secret": WECOM["secret"],
        "wecom_endpoint": wecom_url, "notice_tick_seconds": 0.2, "sms_receipt_first_poll_seconds": 0.2,
        "console_url": "http://console.test",
    }  # fmt: skip


@pytest.fixture
async def notify(world: World, aliyun: FakeAliyunSms, wecom: FakeWeCom) -> AsyncIterator[RunningService]:
    async with running(world, "notify", **_settings(aliyun.url, wecom.url)) as suite:
        yield suite["notify"]


async def _person(notify: RunningService, username: str, **terms: Any) -> None:
    answer = await notify.http.put(
        f"/contacts/{username}", json={"name": username, "roles": ["manager"], "site_codes": [SITE], **terms}
    )
    assert answer.status_code == 200, answer.text


async def _decided(
    world: World, usernames: list[str], ticket_id: str, kind: NoticeKind = NoticeKind.SLA_BREACHED
) -> None:
    now = datetime.now(UTC)
    notice = NoticeDecided(
        notice_key=f"{kind}:{ticket_id}", kind=kind, urgent=True, ticket_id=ticket_id, site_code=SITE,
        facts={"ticket": ticket_id, "site": SITE, "clock": "on_site", "due": now.isoformat(), "minutes": 240},
        recipients=[Recipient(audience=Audience.PERSON, who=u) for u in usernames], decided_at=now,
    )  # fmt: skip
    await send_envelopes(world.amqp_url, [seal(notice, producer="dispatch", correlation_id=ticket_id)])


async def _rows(notify: RunningService, ticket_id: str, count: int, settled: Any) -> list[dict[str, Any]]:
    async def done() -> list[dict[str, Any]]:
        rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        assert len(rows) == count, rows
        assert all(settled(r) for r in rows), rows
        return list(rows)

    return await eventually(done, timeout=30, what=f"{count} notifications of {ticket_id} settled")


async def test_texts_go_through_aliyun_with_their_template_and_their_receipts_are_recorded(
    world: World, notify: RunningService, aliyun: FakeAliyunSms
) -> None:
    described = SiteDescribed(site_code=SITE, name="Provider plaza", local_name=LONG_NAME, address="Shanghai",
                              timezone="Asia/Shanghai", customer="Test", representative=None, contract_code=None)  # fmt: skip
    await send_envelopes(world.amqp_url, [seal(described, producer="intake", correlation_id=SITE)])
    people = {"prv.delivered": "+86 139 1234 0001", "prv.off": "+86 139 1234 0002", "prv.wrong": "+86 139 1234"}
    for username, phone in people.items():
        await _person(notify, username, phone=phone, channels={"sla_breached": ["sms"]})
    aliyun.outcomes = {"13912340001": (3, "DELIVERED"), "13912340002": (2, "MOBILE_NOT_ON_SERVICE")}
    ticket_id = f"{SITE}-20261207-{uuid.uuid4().hex[:6]}"

    # The site's name known before the notice, so that the text names it.
    await eventually(lambda: _site_known(world), timeout=20, what="the site described to notify")
    await _decided(world, list(people), ticket_id)
    rows = await _rows(
        notify, ticket_id, 3, lambda r: r["status"] == "failed" or r["delivery"] not in (None, "waiting")
    )
    by_person = {r["username"]: r for r in rows}

    [texted] = aliyun.to("13912340001")
    assert (texted.sign_name, texted.template) == (ALIYUN["sign_name"], TEMPLATE)
    assert texted.params["subject"] == f"时限超时 {ticket_id}"
    assert texted.params["site"] == LONG_NAME[:34] + "…"  # cut to the 35 characters a variable may hold
    delivered = by_person["prv.delivered"]
    assert (delivered["status"], delivered["delivery"], delivered["delivery_error"]) == ("sent", "delivered", None)
    assert delivered["provider_message_id"] == texted.biz_id
    assert datetime.fromisoformat(delivered["receipt_at"]) == texted.sent_at + timedelta(seconds=3)
    asked = [q for q in aliyun.asked if q["BizId"] == texted.biz_id]
    assert {(q["PhoneNumber"], q["SendDate"]) for q in asked} == {("13912340001", f"{texted.sent_at:%Y%m%d}")}

    off = by_person["prv.off"]
    assert (off["status"], off["delivery"], off["delivery_error"]) == ("sent", "not_delivered", "MOBILE_NOT_ON_SERVICE")
    wrong = by_person["prv.wrong"]  # refused by the provider: trying again would not mend the number
    assert (wrong["status"], wrong["attempts"], wrong["delivery"]) == ("failed", 1, None)
    assert wrong["delivery_error"] == "isv.MOBILE_NUMBER_ILLEGAL"
    assert wrong["last_error"] == "Aliyun SMS refused: isv.MOBILE_NUMBER_ILLEGAL 非法手机号"
    assert "SignatureDoesNotMatch" not in aliyun.refused


async def _site_known(world: World) -> bool:
    return bool(await fetch_all(world, select(sites.c.code).where(sites.c.code == SITE)))


async def test_a_text_signed_with_the_wrong_secret_or_limited_is_refused_as_the_provider_refuses(
    aliyun: FakeAliyunSms,
) -> None:
    """The stand-in checks the signature for real: a wrong secret is refused, finally; flow control is
    not final (it lifts)."""
    settings = NotifySettings(**_settings(aliyun.url) | {"aliyun_access_key_secret": "wrong"})
    message = TextMessage("+86 139 1234 0009", "", "时限超时 X", "sla_breached", "X", "Plaza")
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(NotSent) as wrong:
            await AliyunSms(settings, client).send_notice(message)
        assert (wrong.value.code, wrong.value.final) == ("SignatureDoesNotMatch", True)
        aliyun.refusals["13912340009"] = "isv.BUSINESS_LIMIT_CONTROL"
        right = NotifySettings(**_settings(aliyun.url))
        with pytest.raises(NotSent) as limited:
            await AliyunSms(right, client).send_notice(message)
        assert (limited.value.code, limited.value.final) == ("isv.BUSINESS_LIMIT_CONTROL", False)
    assert aliyun.texted == []


async def test_a_text_taken_just_after_midnight_is_found_under_the_day_the_provider_dated_it(
    aliyun: FakeAliyunSms,
) -> None:
    """The provider dates a text by its own clock, a moment before our answer came: on either side of
    midnight in Beijing, its receipt is asked for by our day, then by the other; far from it, by ours only."""
    aliyun.outcomes = {"13912340010": (3, "DELIVERED")}
    message = TextMessage("+86 139 1234 0010", "", "时限超时 X", "sla_breached", "X", "Plaza")
    async with httpx.AsyncClient(timeout=5) as client:
        provider = AliyunSms(NotifySettings(**_settings(aliyun.url)), client)
        aliyun.clock = lambda: datetime(2026, 12, 7, 23, 59, 50, tzinfo=BEIJING)
        late = await provider.send_notice(message)
        aliyun.clock = lambda: datetime(2026, 12, 7, 12, 0, tzinfo=BEIJING)
        noon = await provider.send_notice(message)
        assert late is not None
        assert noon is not None
        found = await provider.receipt(message.phone, late, datetime(2026, 12, 8, 0, 0, 20, tzinfo=BEIJING))
        not_found = await provider.receipt(message.phone, noon, datetime(2026, 12, 8, 12, 0, tzinfo=BEIJING))
    assert (found.state, found.at) == ("delivered", datetime(2026, 12, 7, 23, 59, 53, tzinfo=BEIJING))
    assert [q["SendDate"] for q in aliyun.asked if q["BizId"] == late] == ["20261208", "20261207"]
    assert not_found.state == "waiting"
    assert [q["SendDate"] for q in aliyun.asked if q["BizId"] == noon] == ["20261208"]


async def test_wecom_messages_reach_one_person_with_one_token_and_an_unknown_userid_is_not_delivered(
    world: World, notify: RunningService, wecom: FakeWeCom
) -> None:
    await _person(notify, "prv.zhang", wecom_userid="ZhangSan")  # no other address: WeCom is their channel
    await _person(notify, "prv.ghost", wecom_userid="LeftTheCompany")
    ticket_id = f"{SITE}-20261207-{uuid.uuid4().hex[:6]}"
    await _decided(world, ["prv.zhang", "prv.ghost"], ticket_id)
    rows = await _rows(notify, ticket_id, 2, lambda r: r["status"] in ("sent", "failed"))
    by_person = {r["username"]: r for r in rows}
    assert (by_person["prv.zhang"]["channel"], by_person["prv.zhang"]["status"]) == ("wecom", "sent")
    [message] = wecom.to("ZhangSan")
    assert message["agentid"] == WECOM["agent_id"]
    assert message["text"]["content"].startswith(f"时限超时 {ticket_id}\n")
    assert f"http://console.test/tickets/{ticket_id}" in message["text"]["content"]
    assert by_person["prv.zhang"]["provider_message_id"]
    ghost = by_person["prv.ghost"]
    assert (ghost["status"], ghost["attempts"], ghost["delivery_error"]) == ("failed", 1, "invaliduser")
    assert ghost["last_error"] == "not delivered: WeCom has no member LeftTheCompany (invaliduser)"
    assert wecom.tokens_given == 1  # both sends, at once, on one token

    wecom.expire()
    later = f"{SITE}-20261207-{uuid.uuid4().hex[:6]}"
    await _decided(world, ["prv.zhang"], later, NoticeKind.VENDOR_BREACHED)
    [again] = await _rows(notify, later, 1, lambda r: r["status"] in ("sent", "failed"))
    assert (again["status"], again["attempts"]) == ("sent", 1)  # refreshed within the one try
    assert (wecom.tokens_given, wecom.refused_tokens) == (2, 1)
    assert len(wecom.to("ZhangSan")) == 2


async def test_a_contact_is_refused_a_wecom_userid_that_is_everyone_or_several_people(notify: RunningService) -> None:
    for wrong in ("@all", "ZhangSan|LiSi"):
        answer = await notify.http.put(
            "/contacts/prv.everyone", json={"name": "Everyone", "roles": ["manager"], "wecom_userid": wrong}
        )
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert problem["error"] == "invalid_request"
        assert problem["message"].startswith(f"wecom_userid: Value error, {wrong!r} is not one WeCom member's userid")
    contacts = (await notify.http.get("/contacts")).json()
    assert "prv.everyone" not in {c["username"] for c in contacts}
