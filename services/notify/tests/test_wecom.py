"""WeCom application messages against the local stand-in (testkit/wecom_fake.py): sends that need a
token at once share one gettoken, its failure too, and for a few seconds after a failure no send asks
again; a refusal that comes from how the company or the application is set up is final, a passing one
is not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.notify.channels import NotSent, Outgoing
from services.notify.settings import NotifySettings
from services.notify.wecom import FAILED_FETCH_KEPT_SECONDS, WeComApp
from testkit.waiting import eventually
from testkit.wecom_fake import FakeWeCom, fake_wecom

WECOM = {"corp_id": "ww0123456789", "secret": "app-secret", "agent_id": 1000002}


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    async with fake_wecom(**WECOM, members={"ZhangSan"}) as fake:
        yield fake


@pytest.fixture
async def app(wecom: FakeWeCom) -> AsyncIterator[WeComApp]:
    settings = NotifySettings(wecom_corp_id=WECOM["corp_id"], wecom_agent_id=WECOM["agent_id"],
                              wecom_secret=WECOM["secret"], wecom_endpoint=wecom.url)  # fmt: skip
    async with httpx.AsyncClient(timeout=5) as client:
        yield WeComApp(settings, client)


def _message(userid: str = "ZhangSan") -> Outgoing:
    return Outgoing(address=userid, subject="时限超时 PRV1-20261207-0001", body="请处理")


async def _failures(app: WeComApp, count: int) -> list[NotSent]:
    answers = await asyncio.gather(*(app.send(_message()) for _ in range(count)), return_exceptions=True)
    assert all(isinstance(a, NotSent) for a in answers), answers
    return [a for a in answers if isinstance(a, NotSent)]


async def test_sends_at_once_against_a_slow_failing_token_endpoint_share_one_gettoken(
    app: WeComApp, wecom: FakeWeCom
) -> None:
    wecom.token_gate = asyncio.Event()
    wecom.token_refusal = {"errcode": -1, "errmsg": "system busy"}
    sends = [asyncio.create_task(app.send(_message())) for _ in range(10)]

    async def asked() -> bool:
        return wecom.token_requests == 1

    await eventually(asked, timeout=5, what="the first gettoken under way")
    sends[0].cancel()  # one send cut off while it waits: the others' fetch goes on
    wecom.token_gate.set()
    answers = await asyncio.gather(*sends, return_exceptions=True)
    assert isinstance(answers[0], asyncio.CancelledError)
    assert [(a.code, a.final) for a in answers[1:] if isinstance(a, NotSent)] == [("-1", False)] * 9
    assert wecom.token_requests == 1

    # Just after, the failure answers for WeCom: no send asks again until it has had a few seconds.
    assert [f.reason for f in await _failures(app, 5)] == ["WeCom gave no token: -1 system busy"] * 5
    assert wecom.token_requests == 1
    wecom.token_refusal = None
    started = app.clock()
    app.clock = lambda: started + FAILED_FETCH_KEPT_SECONDS + 1
    await asyncio.gather(*(app.send(_message()) for _ in range(5)))
    assert (wecom.token_requests, wecom.tokens_given, len(wecom.to("ZhangSan"))) == (2, 1, 5)


async def test_a_token_fetched_is_shared_by_the_sends_waiting_for_it(app: WeComApp, wecom: FakeWeCom) -> None:
    wecom.token_gate = asyncio.Event()
    sends = [asyncio.create_task(app.send(_message())) for _ in range(10)]

    async def asked() -> bool:
        return wecom.token_requests == 1

    await eventually(asked, timeout=5, what="the gettoken under way")
    wecom.token_gate.set()
    await asyncio.gather(*sends)
    assert (wecom.token_requests, len(wecom.to("ZhangSan"))) == (1, 10)


@pytest.mark.parametrize(
    ("errcode", "final"),
    [(40056, True), (60020, True), (48002, True), (301002, True), (60011, True), (-1, False), (45009, False)],
)
async def test_a_refusal_from_how_wecom_is_set_up_is_final_and_a_passing_one_is_not(
    app: WeComApp, wecom: FakeWeCom, errcode: int, final: bool
) -> None:
    wecom.send_refusal = (errcode, "refused")
    with pytest.raises(NotSent) as refused:
        await app.send(_message())
    assert (refused.value.code, refused.value.final) == (str(errcode), final)


async def test_an_application_id_wecom_does_not_know_is_final(wecom: FakeWeCom) -> None:
    settings: dict[str, Any] = {"wecom_corp_id": WECOM["corp_id"], "wecom_agent_id": 1000999,
                                "wecom_secret": WECOM["secret"], "wecom_endpoint": wecom.url}  # fmt: skip
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(NotSent) as refused:
            await WeComApp(NotifySettings(**settings), client).send(_message())
    assert (refused.value.code, refused.value.final) == ("40056", True)
    assert wecom.messages == []
