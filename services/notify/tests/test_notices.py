"""The rules of telling people as plain functions: on which channels, when (quiet hours in the person's
own time zone; what is urgent never waits), what the text says, and how a robot is addressed; the one
notice notify decides itself (a paused webhook's)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from services.notify.channels import dingtalk_signed, mobile_digits
from services.notify.domain.notice_texts import render
from services.notify.domain.notices import (
    Channel,
    Preferences,
    Reachable,
    parse_quiet_hours,
    preferences_from,
    send_after,
)
from services.notify.domain.paused_webhooks import paused_webhook_notice
from shared.contracts.notices import Audience, NoticeKind, Recipient
from shared.contracts.webhooks import WebhookPaused

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
TICKET_ID = "HH138-20261127-0001"
NIGHT = parse_quiet_hours("22:00-07:30")


def test_quiet_hours_hold_what_can_wait_until_they_end_in_the_persons_own_time_zone() -> None:
    morning = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai
    assert send_after(NOW, NIGHT, "Asia/Shanghai", urgent=False) == morning
    assert send_after(NOW, NIGHT, "Asia/Shanghai", urgent=True) == NOW  # a breach wakes them
    assert send_after(NOW, NIGHT, "Asia/Shanghai", urgent=False, on_duty=True) == NOW  # on call: work now
    assert send_after(NOW, NIGHT, "Europe/London", urgent=False) == NOW  # 15:00 there: not quiet
    assert send_after(NOW, None, "Asia/Shanghai", urgent=False) == NOW
    after_midnight = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # 02:00 in Shanghai, same morning's end
    assert send_after(after_midnight, NIGHT, "Asia/Shanghai", urgent=False) == morning
    lunch = parse_quiet_hours("12:00-13:30")
    assert send_after(datetime(2026, 11, 27, 4, 15, tzinfo=UTC), lunch, "Asia/Shanghai", urgent=False) == datetime(
        2026, 11, 27, 5, 30, tzinfo=UTC
    )


def test_quiet_hours_end_after_now_even_in_the_hour_a_clock_change_repeats() -> None:
    repeated = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST, the second time that morning
    ends = send_after(repeated, parse_quiet_hours("00:30-01:30"), "America/New_York", urgent=False)
    assert repeated < ends <= repeated + timedelta(days=1)


@pytest.mark.parametrize("text", ["22:00", "25:00-07:00", "22:00-22:00", "10pm-7am"])
def test_quiet_hours_that_make_no_sense_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="quiet hours"):
        parse_quiet_hours(text)


def test_channels_by_default_are_those_the_person_has_with_sms_only_when_it_cannot_wait() -> None:
    everything = Reachable(email="a@b.example", phone="+86 138 0000 0101", robot_url="http://robot")
    default = Preferences()
    assert [c.channel for c in default.channels_for(NoticeKind.SLA_WARNING, everything, urgent=False)] == [
        Channel.ROBOT, Channel.EMAIL
    ]  # fmt: skip
    assert [c.channel for c in default.channels_for(NoticeKind.SLA_BREACHED, everything, urgent=True)] == [
        Channel.ROBOT, Channel.EMAIL, Channel.SMS
    ]  # fmt: skip
    phone_only = Reachable(phone="+86 138 0000 0101")
    assert [c.channel for c in default.channels_for(NoticeKind.ASSIGNED, phone_only, urgent=False)] == [Channel.SMS]
    chosen = preferences_from({"sla_breached": ["sms", "email", "sms"]})
    choices = chosen.channels_for(NoticeKind.SLA_BREACHED, phone_only, urgent=True)
    assert [(c.channel, c.address, c.why_not) for c in choices] == [
        (Channel.SMS, "+86 138 0000 0101", None), (Channel.EMAIL, None, "no e-mail address")
    ]  # fmt: skip
    assert preferences_from({"assigned": []}).channels_for(NoticeKind.ASSIGNED, everything, urgent=False) == []


@pytest.mark.parametrize(("raw", "wrong"), [({"breach": ["sms"]}, "unknown kind"), ({"assigned": ["fax"]}, "channel")])
def test_preferences_name_known_kinds_and_channels(raw: dict[str, list[str]], wrong: str) -> None:
    with pytest.raises(ValueError, match=wrong):
        preferences_from(raw)


def test_texts_in_both_languages_show_local_times_and_link_into_the_console() -> None:
    facts = {"ticket": TICKET_ID, "site": "HH138", "clock": "on_site", "due": NOW.isoformat(), "minutes": 240}
    link = "http://console.example/tickets/HH138-20261127-0001"
    zh = render(NoticeKind.SLA_BREACHED, facts, language="zh", timezone="Asia/Shanghai", link=link)
    assert zh.subject == "时限超时 HH138-20261127-0001"
    assert "到场时限（240 分钟）已于 2026-11-27 23:00 超时" in zh.body
    assert zh.body.endswith(f"查看：{link}")
    en = render(NoticeKind.SLA_BREACHED, facts, language="en", timezone="Europe/London", link=None)
    assert "The on-site clock" in en.body
    assert "breached at 2026-11-27 15:00" in en.body
    assert "Open:" not in en.body
    assert render(NoticeKind.ASSIGNED, {"ticket": "T"}, language="fr", timezone="UTC", link=None).subject == "新派工 T"


def test_robots_mention_a_mobile_number_and_dingtalk_requests_are_signed() -> None:
    assert mobile_digits("+86 138 0000 0101") == "13800000101"
    assert mobile_digits("021-5555 0101") == "02155550101"
    signed = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz", 1_795_771_234_000)
    # DingTalk's own recipe: HMAC-SHA256 of "timestamp\nsecret" keyed by the secret, base64, URL-encoded
    digest = hmac.new(b"SECxyz", b"1795771234000\nSECxyz", hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    assert signed == f"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1795771234000&sign={sign}"


def test_a_paused_webhook_tells_its_owner_once_per_pause() -> None:
    event = WebhookPaused(
        subscription_id="s-1", site_code="HH138", url="https://bms.example/hook", owner="rep.hh138",
        why="gave up after 13 attempts", paused_at=NOW,
    )  # fmt: skip
    notice = paused_webhook_notice(event)
    assert notice.recipients == [Recipient(audience=Audience.PERSON, who="rep.hh138")]
    assert (notice.kind, notice.urgent, notice.ticket_id) == (NoticeKind.WEBHOOK_PAUSED, False, None)
    assert paused_webhook_notice(event).notice_key == notice.notice_key
    later = paused_webhook_notice(event.model_copy(update={"paused_at": NOW + timedelta(days=1)}))
    assert later.notice_key != notice.notice_key


def test_a_flood_of_mails_held_back_tells_the_managers_once_an_hour() -> None:
    from datetime import UTC, datetime

    from services.notify.domain.paused_webhooks import mail_flood_notice
    from shared.contracts.notices import Audience, NoticeKind
    from shared.contracts.tickets import MailFloodHeld

    at = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)
    notice = mail_flood_notice(MailFloodHeld(sender="bomb@x.example", site_code="HH138", count=31, held_at=at))
    later = mail_flood_notice(
        MailFloodHeld(sender="bomb@x.example", site_code="HH138", count=40, held_at=at.replace(minute=50))
    )
    assert (notice.kind, notice.urgent, [r.audience for r in notice.recipients]) == (
        NoticeKind.MAIL_FLOOD,
        False,
        [Audience.MANAGERS],
    )
    assert (notice.facts["sender"], notice.facts["count"], notice.notice_key == later.notice_key) == (
        "bomb@x.example",
        31,
        True,
    )
