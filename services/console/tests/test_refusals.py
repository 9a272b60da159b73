"""A refusal in the person's language: kept words in Chinese, the service's own message in English or
where no words are kept."""

from __future__ import annotations

from services.console.web.refusals import REFUSALS, refusal_words
from services.console.web.rendering import translations
from services.console.web.upstream import ServiceRefused

MOVED = ServiceRefused(403, "not_your_ticket", "HH138-20261125-0001 is assigned to engineer E02; you are engineer E01")


def test_a_refusal_reads_in_chinese_and_in_english_as_the_service_said() -> None:
    chinese = refusal_words("zh", translations("zh").gettext)
    assert chinese(MOVED) == "该工单现已派给其他工程师。"
    assert refusal_words("en", translations("en").gettext)(MOVED) == MOVED.message
    unknown = ServiceRefused(422, "invalid_plan", "the plan's checklist is empty")
    assert chinese(unknown) == unknown.message


def test_every_kept_refusal_has_its_chinese() -> None:
    gettext = translations("zh").gettext
    assert [code for code, words in REFUSALS.items() if gettext(words) == words] == []
