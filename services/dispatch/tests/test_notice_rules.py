"""The rules of notifications to people as plain functions: who hears of what, on which channels, when
(quiet hours in the person's own time zone; breaches never wait), and what the text says."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from services.dispatch.notifications.channels import dingtalk_signed, mobile_digits
from services.dispatch.notifications.domain import notice_rules as rules
from services.dispatch.notifications.domain.notice_texts import render
from services.dispatch.notifications.domain.notices import (
    Audience,
    Channel,
    NoticeKind,
    Preferences,
    Reachable,
    parse_quiet_hours,
    preferences_from,
    send_after,
    urgent,
)
from shared.contracts import FollowUpRecorded, SlaBreached, SlaWarning, TicketAssigned
from shared.contracts.sla import ClockKind

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
TICKET = rules.TicketFacts("HH138-20261127-0001", "HH138", "bgm", "normal", engineer_id="E01")
NIGHT = parse_quiet_hours("22:00-07:30")


def test_quiet_hours_hold_what_can_wait_until_they_end_in_the_persons_own_time_zone() -> None:
    morning = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai
    assert send_after(NOW, NIGHT, "Asia/Shanghai", urgent=False) == morning
    assert send_after(NOW, NIGHT, "Asia/Shanghai", urgent=True) == NOW  # a breach wakes them
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


def test_breaches_and_critical_tickets_are_urgent() -> None:
    assert urgent(NoticeKind.SLA_BREACHED, "low")
    assert urgent(NoticeKind.VENDOR_BREACHED, "normal")
    assert urgent(NoticeKind.ASSIGNED, "critical")
    assert not urgent(NoticeKind.SLA_WARNING, "high")


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


def test_a_reassignment_tells_the_new_engineer_and_the_one_taken_off() -> None:
    event = TicketAssigned(
        ticket_id=TICKET.ticket_id, site_code="HH138", subsystem="bgm", engineer_id="E02", engineer_name="Li Na",
        rule="manual", assigned_at=NOW, previous_engineer_id="E01", reason="E01 is ill",
    )  # fmt: skip
    told = rules.on_assigned(event, TICKET)
    assert [(n.kind, n.audience, n.whom) for n in told] == [
        (NoticeKind.ASSIGNED, Audience.ENGINEER, "E02"), (NoticeKind.TAKEN_OFF, Audience.ENGINEER, "E01")
    ]  # fmt: skip
    first = rules.on_assigned(event.model_copy(update={"previous_engineer_id": None}), TICKET)
    assert len(first) == 1


def test_a_warning_tells_the_engineer_and_managers_and_a_breach_the_managers_and_quality() -> None:
    warning = SlaWarning(
        ticket_id=TICKET.ticket_id, clock=ClockKind.ON_SITE, cycle=1, fraction=0.75, due_at=NOW,
        remaining_minutes=59.6, warned_at=NOW,
    )  # fmt: skip
    assert {(n.audience, n.whom) for n in rules.on_sla_warning(warning, TICKET)} == {
        (Audience.MANAGERS, None), (Audience.ENGINEER, "E01")
    }  # fmt: skip
    later = rules.on_sla_warning(warning.model_copy(update={"fraction": 0.9}), TICKET)
    assert later[0].key != rules.on_sla_warning(warning, TICKET)[0].key  # a policy may warn twice
    breach = SlaBreached(
        ticket_id=TICKET.ticket_id, clock=ClockKind.ON_SITE, cycle=1, due_at=NOW, target_minutes=240, breached_at=NOW
    )
    told = rules.on_sla_breached(breach, TICKET)
    assert {n.audience for n in told} == {Audience.MANAGERS, Audience.QUALITY}
    assert all(n.urgent for n in told)
    assert rules.on_sla_breached(breach, TICKET)[0].key == told[0].key  # published twice: one key


def test_the_quality_desk_hears_of_low_scores_only() -> None:
    def call(score: int | None) -> FollowUpRecorded:
        return FollowUpRecorded(
            ticket_id=TICKET.ticket_id, site_code="HH138", cycle=1, attempt=1, reached=score is not None,
            satisfaction=score, caller="liu.yang", called_at=NOW, outcome="satisfied", late=False,
        )  # fmt: skip

    assert [n.audience for n in rules.on_follow_up_recorded(call(2), TICKET)] == [Audience.QUALITY]
    assert rules.on_follow_up_recorded(call(3), TICKET) == []
    assert rules.on_follow_up_recorded(call(None), TICKET) == []


def test_texts_in_both_languages_show_local_times_and_link_into_the_console() -> None:
    facts = {"ticket": TICKET.ticket_id, "site": "HH138", "clock": "on_site", "due": NOW.isoformat(), "minutes": 240}
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
