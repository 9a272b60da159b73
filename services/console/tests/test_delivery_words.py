"""Whether a notification reached its person, in words on the ticket's page and the person's own:
"delivered", or "not delivered" with the carrier's code, as notify recorded its provider's receipt."""

from __future__ import annotations

import re

import pytest

from services.console.web.rendering import LABELS, templates, translations


def _said(language: str, **notification: object) -> str:
    gettext = translations(language).gettext

    def label(code: str) -> str:
        return gettext(LABELS[code]) if code in LABELS else code

    shown = templates.env.get_template("_delivery.html").render(n=notification, label=label)
    return " ".join(re.sub(r"<[^>]+>", "", shown).split())


@pytest.mark.parametrize(
    ("language", "delivered", "not_delivered", "waiting"),
    [("zh", "· 已送达", "· 未送达: MOBILE_NOT_ON_SERVICE", "· 等待送达回执"),
     ("en", "· delivered", "· not delivered: MOBILE_NOT_ON_SERVICE", "· awaiting its receipt")],
)  # fmt: skip
def test_a_notification_says_whether_it_reached_its_person(
    language: str, delivered: str, not_delivered: str, waiting: str
) -> None:
    assert _said(language, delivery="delivered", delivery_error=None) == delivered
    assert _said(language, delivery="not_delivered", delivery_error="MOBILE_NOT_ON_SERVICE") == not_delivered
    assert _said(language, delivery="waiting") == waiting
    assert _said(language, delivery=None, delivery_error="isv.MOBILE_NUMBER_ILLEGAL") == ""  # not sent: no receipt
