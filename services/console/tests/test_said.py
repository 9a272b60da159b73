"""What dispatch says in a ticket's history, in the reader's language from the facts it keeps; what
people typed as typed; rows written before facts were kept as their note."""

from __future__ import annotations

import pytest

from services.console.web.rendering import LABELS, translations
from services.console.web.said import Sayer

WAITING = {
    "cause": "nobody_free",
    "subsystem": "bgm",
    "engineers": [
        {"engineer_id": "E01", "duty": "on_leave", "open_tickets": 0, "max_open_tickets": 5, "reachable": False},
        {"engineer_id": "E02", "duty": "on_shift", "open_tickets": 5, "max_open_tickets": 5, "reachable": True},
    ],
    "more": 0,
}


def _sayer(language: str) -> Sayer:
    gettext = translations(language).gettext

    def label(code: str) -> str:
        return gettext(LABELS[code]) if code in LABELS else code

    names = {"zh": "背景音乐", "en": "Background music"}
    return Sayer(gettext, language, lambda code, site, lang: names[lang] if code == "bgm" else code or "", label)


@pytest.mark.parametrize(
    ("row", "chinese", "english"),
    [
        (
            {"action": "assign", "note": "to E01 (subsystem_owner)", "facts": {"engineer_id": "E01", "rule": "subsystem_owner"}},
            "派给 E01（子系统负责工程师）",
            "to E01 (the subsystem's own engineer)",
        ),
        (
            {"action": "assign", "note": "原负责人在别处", "facts": {"engineer_id": "E02", "rule": "manual"}},
            "派给 E02（服务经理指派）：原负责人在别处",
            "to E02 (chosen by the service manager): 原负责人在别处",
        ),
        (
            {"action": "reclassify", "note": "now a complaint of high priority: 态度差", "facts": {"kind": "complaint", "priority": "high", "reason": "态度差"}},
            "改为投诉，优先级高：态度差",
            "now Complaint, High priority: 态度差",
        ),
        (
            {"action": "await", "note": "nobody ...", "facts": WAITING},
            "当班工程师均无余力处理背景音乐：E01 休假；E02 已满（5/5）",
            "nobody on duty with room for Background music: E01 on leave; E02 full (5 of 5)",
        ),
        (
            {"action": "arrive", "note": "arrived 12 m from the site", "facts": {"doubt": None, "distance_m": 12, "checked": True}},
            "已到场，距现场 12 米",
            "arrived 12 m from the site",
        ),
        ({"action": "at_risk", "note": "x", "facts": {"clock": "response"}}, "响应时限已预警，仍无人接单", "the response clock warned and nobody has accepted it"),
        (
            {"action": "paged", "note": "paged E02", "facts": {"step": 1, "to": "backup_on_call", "engineer_id": "E02", "engineer_name": "Li Na"}},
            "已呼叫 Li Na（备班值班工程师）",
            "paged Li Na (backup on call)",
        ),
        (
            {"action": "paged", "note": "nobody", "facts": {"step": 2, "to": "engineer", "nobody": "off_duty"}},
            "无人可呼叫（项目呼叫链指定）：不在班",
            "nobody to page (named in the site's paging chain): off duty",
        ),
        ({"action": "paged", "note": "x", "facts": {"step": 3, "to": "service_managers"}}, "已呼叫服务经理", "paged the service managers"),
        ({"action": "assign", "note": "to E01 (least_loaded)", "facts": None}, "to E01 (least_loaded)", "to E01 (least_loaded)"),
        ({"action": "resolve", "note": "更换保险丝", "facts": None}, "更换保险丝", "更换保险丝"),
    ],
)  # fmt: skip
def test_history_rows_read_in_the_readers_language(row: dict[str, object], chinese: str, english: str) -> None:
    assert _sayer("zh").history(row, "HH138") == chinese
    assert _sayer("en").history(row, "HH138") == english


def test_services_acting_by_themselves_are_named_and_people_keep_their_names() -> None:
    assert [_sayer("zh").actor(a) for a in ("dispatch", "sla", "mgr.liu")] == ["系统自动派工", "时限监控", "mgr.liu"]
    assert _sayer("en").actor("dispatch") == "Automatic dispatch"


def test_a_question_about_the_service_waits_for_the_manager_in_words() -> None:
    facts = {"cause": "about_the_service"}
    assert _sayer("zh").waiting(facts, "HH138") == "这是关于服务本身的咨询：请答复或指派给相关人员"
    assert _sayer("en").waiting(facts, "HH138") == (
        "a question about the service as a whole: answer it or give it to someone"
    )


def test_every_kind_of_notice_has_its_words() -> None:
    """People choose their channels per kind and read who was told of what: no kind shows as its code."""
    from shared.contracts.notices import NoticeKind

    assert [kind.value for kind in NoticeKind if kind.value not in LABELS] == []
