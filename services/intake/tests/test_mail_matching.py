"""What a mail is about, as pure functions: the ticket it answers, the site its sender is known at, the
subsystem and device its words name."""

from __future__ import annotations

from services.intake.mail.domain.matching import (
    SiteDirectory,
    device_named,
    match_site,
    suggest_subsystem,
    tickets_referenced,
)

DIRECTORY = SiteDirectory(
    {
        "HH138": frozenset({"xu.jing@infinity-mall.example", "liu.yang@aftercare.example"}),
        "GW88": frozenset({"ops@grandway.example", "liu.yang@aftercare.example"}),
        "GW89": frozenset({"ops2@grandway.example"}),
        "QQ1": frozenset({"12345@qq.com"}),
    },
    own_domains=frozenset({"aftercare.example"}),
)
SITES = ("HH138", "GW88", "GW89", "QQ1")


def _site(sender: str, subject: str = "背景音乐没声音") -> tuple[str | None, str]:
    found = match_site(sender, subject, DIRECTORY, SITES)
    return found.site_code, found.how


def test_a_known_address_then_a_customer_domain_name_the_site() -> None:
    assert _site("xu.jing@infinity-mall.example") == ("HH138", "address")
    assert _site("someone.else@infinity-mall.example") == ("HH138", "domain")
    assert _site("12345@qq.com") == ("QQ1", "address")  # a public service's address is still someone's


def test_a_shared_domain_or_address_needs_the_site_code_in_the_subject() -> None:
    assert _site("new.person@grandway.example") == (None, "several_sites")  # one company, two malls
    assert _site("new.person@grandway.example", "[GW89] 屏幕黑屏") == ("GW89", "subject")
    assert _site("liu.yang@aftercare.example") == (None, "several_sites")  # the integrator's own people
    assert _site("liu.yang@aftercare.example", "转发：HH138 客户报修") == ("HH138", "subject")
    assert _site("boss@aftercare.example") == (None, "unknown_sender")  # our own domain names no site
    assert _site("friend@qq.com") == (None, "unknown_sender")  # nor does a public one
    assert _site("friend@qq.com", "HH138 3楼音响有杂音") == ("HH138", "subject")


def test_a_known_sender_naming_another_site_is_left_to_the_operator() -> None:
    assert _site("xu.jing@infinity-mall.example", "GW88 的问题") == (None, "conflicting_sites")
    assert _site("xu.jing@infinity-mall.example", "HH138 的问题") == ("HH138", "address")
    assert _site("friend@qq.com", "HH138 and GW88") == (None, "several_sites")


def test_a_reply_finds_its_ticket_by_our_reference_before_its_subject() -> None:
    ours = "<ack.HH138-20261207-0003.5f2a9c@hotline.aftercare.example>"
    assert tickets_referenced("Re: HH138-20261207-0009", ["<other@x>", ours]) == [
        ("HH138-20261207-0003", "reference"),
        ("HH138-20261207-0009", "subject"),
    ]
    assert tickets_referenced("回复：[工单 HH138-20261207-0004] 已受理", []) == [("HH138-20261207-0004", "subject")]
    assert tickets_referenced("re: hh138-20261207-0004", []) == [("HH138-20261207-0004", "subject")]
    assert tickets_referenced("HH138-20261207-00041x", []) == []
    assert tickets_referenced("背景音乐没声音", ["<ack.not-a-ticket.1@x>", "<notice.HH138-x@y>"]) == []


def test_the_words_name_one_subsystem_and_one_device() -> None:
    subsystems = [
        {"code": "bgm", "name": "Background music", "local_name": "BGM背景音乐系统"},
        {"code": "av", "name": "Professional AV", "local_name": "专业AV系统"},
        {"code": "signage", "name": "Multimedia information publishing", "local_name": "多媒体信息发布系统"},
        {"code": "control", "name": "Intelligent central control", "local_name": "智能中央集中控制系统"},
    ]
    assert suggest_subsystem("B1 背景音乐没有声音", subsystems) == "bgm"
    assert suggest_subsystem("The background music is silent", subsystems) == "bgm"
    assert suggest_subsystem("三楼AV设备无输出", subsystems) == "av"
    assert suggest_subsystem("中庭大屏黑屏了", subsystems) == "signage"
    assert suggest_subsystem("中控触摸屏没反应", subsystems) == "control"
    assert suggest_subsystem("背景音乐和信息发布都坏了", subsystems) is None  # as much of each: the operator decides
    assert suggest_subsystem("灯不亮", subsystems) is None
    assert suggest_subsystem("the avenue entrance", subsystems) is None  # a code inside a word is no mention
    devices: list[dict[str, str | None]] = [
        {"asset_tag": "HH138-BGM-001", "serial_number": "DSP-2109A0042"},
        {"asset_tag": "HH138-BGM-002", "serial_number": None},
    ]
    assert device_named("功放HH138-BGM-001报警", devices) == "HH138-BGM-001"
    assert device_named("序列号 dsp-2109a0042 的设备", devices) == "HH138-BGM-001"
    assert device_named("HH138-BGM-0011 不在登记表", devices) is None
