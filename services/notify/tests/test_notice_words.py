"""Every word of a notice is in its reader's language: the site and its subsystems by the names intake
describes them with (`site.described`, kept by notify), and the codes of the notice's facts (clocks,
priorities, why this engineer, why nobody) in words, Chinese or English; none of them as a code."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notify.db import repository
from services.notify.domain.notice_texts import Names, render
from shared.contracts import SiteDescribed, SubsystemNamed, seal
from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from testkit.broker import send_envelopes
from testkit.in_process import RunningService, running
from testkit.waiting import eventually, stays
from testkit.world import World

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
NAMES = Names(
    site={"name": "Infinity Mall, 138 Huaihai Middle Road", "local_name": "无限度广场 淮海中路138号"},
    subsystems={"bgm": {"name": "Background music", "local_name": "背景音乐系统"}},
)
TICKET = {"ticket": "HH138-20261127-0001", "site": "HH138", "subsystem": "bgm", "priority": "normal"}
FACTS: dict[NoticeKind, dict[str, Any]] = {
    NoticeKind.ASSIGNED: {"engineer": "Wang Wei", "rule": "subsystem_owner", "reason": None},
    NoticeKind.TAKEN_OFF: {"engineer": "Wang Wei", "rule": "manual", "reason": "王工离现场更近"},
    NoticeKind.SLA_WARNING: {"clock": "response", "due": NOW.isoformat(), "minutes": 30},
    NoticeKind.SLA_BREACHED: {"clock": "on_site", "due": NOW.isoformat(), "minutes": 240},
    NoticeKind.VENDOR_BREACHED: {"clock": "acknowledge", "due": NOW.isoformat(), "partner": "p", "case": "VC-1"},
    NoticeKind.AWAITING_ASSIGNMENT: {
        "why": "nobody on duty with room for bgm: E01 off; E02 full (5 of 5)", "cause": "nobody_free"
    },
    NoticeKind.FOLLOW_UP_DUE: {"due": NOW.isoformat()},
    NoticeKind.FOLLOW_UP_MISSED: {"due": NOW.isoformat()},
    NoticeKind.LOW_SATISFACTION: {"score": 2, "comments": "来得太晚", "caller": "Liu Yang"},
}  # fmt: skip
CODES_IN_ENGLISH = re.compile(
    r"\b(HH138|bgm|fault|normal|on_site|subsystem_owner|manual|nobody_free|nobody on duty|E01)\b"
)
CODES = re.compile(
    r"\b(HH138|bgm|fault|normal|response|on_site|on-site|acknowledge|subsystem_owner|manual|nobody_free"
    r"|nobody on duty|E01)\b"
)


@pytest.mark.parametrize("kind", list(FACTS), ids=str)
def test_a_notice_in_chinese_names_the_site_and_subsystem_in_chinese_and_no_code(kind: NoticeKind) -> None:
    text = render(kind, {**TICKET, **FACTS[kind]}, language="zh", timezone="Asia/Shanghai", link=None, names=NAMES)
    said = f"{text.subject}\n{text.body}"
    assert "无限度广场 淮海中路138号" in said
    assert CODES.search(said.replace(TICKET["ticket"], "")) is None, said
    assert not re.search(r"[A-Za-z]{3,}", said.replace(TICKET["ticket"], "").replace("Wang Wei", "").replace(
        "Liu Yang", "").replace("VC-1", "")), said  # fmt: skip


@pytest.mark.parametrize("kind", list(FACTS), ids=str)
def test_a_notice_in_english_names_the_site_and_subsystem_in_english_and_no_code(kind: NoticeKind) -> None:
    text = render(kind, {**TICKET, **FACTS[kind]}, language="en", timezone="Asia/Shanghai", link=None, names=NAMES)
    said = f"{text.subject}\n{text.body}"
    assert "Infinity Mall, 138 Huaihai Middle Road" in said
    assert CODES_IN_ENGLISH.search(said.replace(TICKET["ticket"], "")) is None, said


def test_each_fact_reads_in_words_in_both_languages() -> None:
    assigned = {**TICKET, **FACTS[NoticeKind.ASSIGNED], "priority": "critical"}
    zh = render(NoticeKind.ASSIGNED, assigned, language="zh", timezone="Asia/Shanghai", link=None, names=NAMES)
    assert "（背景音乐系统，紧急）" in zh.body
    assert "派工依据：子系统负责工程师。" in zh.body
    en = render(NoticeKind.ASSIGNED, assigned, language="en", timezone="Asia/Shanghai", link=None, names=NAMES)
    assert "(Background music, Critical)" in en.body
    assert "Why you: the subsystem's own engineer." in en.body
    waiting = {**TICKET, **FACTS[NoticeKind.AWAITING_ASSIGNMENT]}
    zh = render(NoticeKind.AWAITING_ASSIGNMENT, waiting, language="zh", timezone="UTC", link=None, names=NAMES)
    assert "均不在班或已满负荷" in zh.body
    warned = {**TICKET, **FACTS[NoticeKind.SLA_WARNING]}
    assert "响应时限" in render(NoticeKind.SLA_WARNING, warned, language="zh", timezone="UTC", link=None).body
    assert "The response clock" in render(NoticeKind.SLA_WARNING, warned, language="en", timezone="UTC", link=None).body


def test_a_site_not_described_yet_is_named_by_its_code() -> None:
    text = render(NoticeKind.ASSIGNED, TICKET, language="zh", timezone="UTC", link=None)
    assert "HH138 的工单" in text.body
    assert "（bgm，普通）" in text.body


@pytest.fixture
async def notify(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "notify") as suite:
        yield suite["notify"]


async def test_notify_keeps_the_names_intake_describes_and_tells_each_person_in_their_language(
    seeded: World, notify: RunningService
) -> None:
    site = f"W{uuid.uuid4().hex[:6].upper()}"
    ticket_id = f"{site}-20261127-0001"
    for username, language in ((f"zh.{site}", "zh"), (f"en.{site}", "en")):
        answer = await notify.http.put(
            f"/contacts/{username}",
            json={"name": username, "roles": ["manager"], "site_codes": [site], "phone": "+86 139 0000 0009",
                  "language": language},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
    described = SiteDescribed(
        site_code=site, name="Words test plaza", local_name="词语测试广场", address="1 Test Road",
        timezone="Asia/Shanghai", customer="Test", representative=None, contract_code=None,
        subsystems=[SubsystemNamed(code="bgm", name="Background music", local_name="背景音乐系统")],
    )  # fmt: skip
    earlier = described.model_copy(update={"local_name": "旧名称", "subsystems": None})
    notice = NoticeDecided(
        notice_key=f"awaiting_assignment:{ticket_id}", kind=NoticeKind.AWAITING_ASSIGNMENT, urgent=False,
        ticket_id=ticket_id, site_code=site, facts={**TICKET, "ticket": ticket_id, "site": site,
                                                    **FACTS[NoticeKind.AWAITING_ASSIGNMENT]},
        recipients=[Recipient(audience=Audience.MANAGERS)], decided_at=NOW,
    )  # fmt: skip
    now = datetime.now(UTC)
    await send_envelopes(
        seeded.amqp_url,
        [
            seal(described, producer="intake", correlation_id=site, occurred_at=now),
            # an older description arriving late changes nothing
            seal(earlier, producer="intake", correlation_id=site, occurred_at=now - timedelta(minutes=1)),
        ],
    )

    async def kept() -> bool:
        async with notify.runtime.database.connect() as connection:
            row = await repository.site(connection, site)
        return row is not None and row.described_at == now

    await eventually(kept, timeout=30, what="the site's names kept")
    await stays(kept, what="the older description ignored")
    await send_envelopes(seeded.amqp_url, [seal(notice, producer="dispatch", correlation_id=ticket_id)])

    async def told() -> dict[str, dict[str, Any]]:
        rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        return {row["username"].split(".")[0]: row for row in rows} if len(rows) == 2 else {}

    by_language = await eventually(told, timeout=30, what="both managers told")
    zh, en = by_language["zh"], by_language["en"]
    assert "词语测试广场" in zh["body"], zh["body"]
    assert "背景音乐系统" in zh["body"], zh["body"]
    assert not re.search(r"\b(bgm|normal|nobody_free|nobody on duty)\b", zh["body"]), zh["body"]
    assert "Words test plaza" in en["body"], en["body"]
    assert "Background music, Normal" in en["body"], en["body"]
    assert "off duty or full" in en["body"], en["body"]
