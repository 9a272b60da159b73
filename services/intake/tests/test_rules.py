"""Intake's rules, without broker or database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain.classification import classify
from services.intake.domain.register import Device
from services.intake.domain.requests import (
    RequestRefused,
    SiteScope,
    check_reported_at,
    check_same_request,
    check_scope,
    content_digest,
    fingerprint,
    local_day,
    ticket_id,
)
from shared.contracts import Reporter, ServiceKind, SubmitServiceRequest

SCOPE = SiteScope(
    code="HH138",
    name="Infinity Mall",
    timezone="Asia/Shanghai",
    subsystems=frozenset({"bgm", "av"}),
    devices={
        "HH138-BGM-AMP-01": Device(
            asset_tag="HH138-BGM-AMP-01", subsystem="bgm", model="PLENA PLE-2MA240", manufacturer="bosch"
        )
    },
)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("No sound from the atrium speakers", ServiceKind.FAULT),
        ("背景音乐没有声音", ServiceKind.FAULT),
        ("I want to complain about yesterday's visit", ServiceKind.COMPLAINT),
        ("投诉：工程师态度差，投影机还是坏了", ServiceKind.COMPLAINT),  # a complaint even if it names a broken device
        ("请问如何调节背景音乐音量？", ServiceKind.CONSULTATION),
        ("The projector lamp is burnt and needs a replacement", ServiceKind.WARRANTY_REPAIR),
        ("功放损坏", ServiceKind.WARRANTY_REPAIR),
        ("Please adjust the signage schedule change for the holiday", ServiceKind.TECHNICAL_SUPPORT),
    ],
)
def test_the_description_decides_when_the_operator_did_not(description: str, expected: ServiceKind) -> None:
    assert classify(description) is expected


def test_the_operator_choice_wins() -> None:
    assert classify("I want to complain", ServiceKind.FAULT) is ServiceKind.FAULT


def test_scope_refusals_say_what_exists() -> None:
    with pytest.raises(RequestRefused, match="it has: av, bgm") as refused:
        check_scope(SCOPE, "lighting", None)
    assert refused.value.reason == "unknown_subsystem"
    with pytest.raises(RequestRefused, match="not in the equipment register"):
        check_scope(SCOPE, "bgm", "NOPE-1")
    with pytest.raises(RequestRefused, match="belongs to subsystem 'bgm'"):
        check_scope(SCOPE, "av", "HH138-BGM-AMP-01")
    assert check_scope(SCOPE, "bgm", "HH138-BGM-AMP-01") == SCOPE.devices["HH138-BGM-AMP-01"]
    assert check_scope(SCOPE, "av", None) is None


MONTH = timedelta(days=30)


def test_a_report_from_the_future_is_refused_but_clock_skew_is_tolerated() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    check_reported_at(now + timedelta(minutes=4), now, MONTH)
    with pytest.raises(RequestRefused, match="in the future"):
        check_reported_at(now + timedelta(minutes=6), now, MONTH)


def test_a_report_further_back_than_the_limit_is_refused() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    check_reported_at(now - MONTH + timedelta(seconds=1), now, MONTH)
    for long_ago in (now - MONTH - timedelta(seconds=1), datetime(1, 1, 1, tzinfo=UTC)):
        with pytest.raises(RequestRefused, match="more than 30 days ago") as refused:
            check_reported_at(long_ago, now, MONTH)
        assert refused.value.reason == "reported_too_long_ago"


def test_a_request_id_sent_again_must_say_the_same() -> None:
    request = SubmitServiceRequest(
        request_id="MAIL-1", site_code="HH138", subsystem="bgm", description="No sound", channel="email",
        reporter=Reporter(name="Ms. Xu"),
    )  # fmt: skip
    check_same_request(request, content_digest(request))
    check_same_request(request, None)  # kept before requests remembered their content
    at_nine = request.model_copy(update={"reported_at": datetime(2026, 11, 25, 9, 0, tzinfo=UTC)})
    at_ten_in_paris = request.model_copy(update={"reported_at": datetime.fromisoformat("2026-11-25T10:00:00+01:00")})
    assert content_digest(at_nine) == content_digest(at_ten_in_paris)  # one moment, written two ways
    assert content_digest(request.model_copy(update={"priority": "normal"})) == content_digest(request)
    for changed in ({"site_code": "HH139"}, {"subsystem": "av"}, {"priority": "critical"}, {"description": "x"}):
        with pytest.raises(RequestRefused, match="sent before with other content") as refused:
            check_same_request(request.model_copy(update=changed), content_digest(request))
        assert refused.value.reason == "request_id_reused"


def test_the_same_problem_from_the_same_person_has_the_same_fingerprint() -> None:
    xu = Reporter(name="Ms. Xu", phone="+86 21 5555 0101")
    same = fingerprint("HH138", "bgm", None, xu, "No   sound in the ATRIUM")
    assert same == fingerprint(
        "HH138", "bgm", None, Reporter(name="Xu", phone="+8621 5555 0101"), "no sound in the atrium"
    )
    assert same != fingerprint(
        "HH138", "bgm", None, Reporter(name="Mr. Li", phone="+86 21 5555 0199"), "no sound in the atrium"
    )
    assert same != fingerprint("HH138", "av", None, xu, "no sound in the atrium")


def test_ticket_ids_use_the_sites_local_date() -> None:
    late_evening_utc = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)  # 01:30 on the 26th in Shanghai
    day = local_day(late_evening_utc, "Asia/Shanghai")
    assert day == date(2026, 11, 26)
    assert ticket_id("HH138", day, 7) == "HH138-20261126-0007"
