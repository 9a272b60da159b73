"""Sites and subsystems as people call them (web/names.py): what intake's /sites says, in the reader's
language, codes until it has said anything, and the names heard before when it answers wrongly."""

from __future__ import annotations

import httpx

from services.console.settings import ConsoleSettings
from services.console.web.names import Names
from testkit.identities import PRIVATE_KEY

SITES = [
    {
        "code": "HH138", "name": "Infinity Mall", "local_name": "无限度广场", "subsystems": ["bgm"],
        "subsystem_names": {"bgm": {"name": "Background music", "local_name": "背景音乐系统"}},
    }
]  # fmt: skip


def _names(answer: httpx.Response) -> Names:
    settings = ConsoleSettings(signing_key=PRIVATE_KEY, intake_url="http://intake")
    return Names(settings, httpx.MockTransport(lambda request: answer))


async def test_names_read_as_intake_says_in_the_readers_language() -> None:
    names = _names(httpx.Response(200, json=SITES))
    assert (names.site("HH138", "zh"), names.subsystem("bgm", "HH138", "zh")) == ("HH138", "bgm")  # not heard yet
    names._services.start()
    try:
        await names._ask()
    finally:
        await names._services.stop()
    assert (names.site("HH138", "zh"), names.site("HH138", "en")) == ("无限度广场", "Infinity Mall")
    assert (names.subsystem("bgm", "HH138", "zh"), names.subsystem("bgm", None, "en")) == (
        "背景音乐系统",
        "Background music",
    )
    assert (names.subsystem("av", "HH138", "zh"), names.subsystem(None, "HH138", "zh"), names.site("X1", "zh")) == (
        "av",
        "",
        "X1",
    )


async def test_an_answer_not_as_expected_keeps_the_names_heard_before() -> None:
    names = _names(httpx.Response(200, content=b"<html>a proxy's error page</html>"))
    names.sites = {"HH138": SITES[0]}
    names._services.start()
    try:
        await names._ask()  # logged, not raised: the pages go on
    finally:
        await names._services.stop()
    assert names.site("HH138", "zh") == "无限度广场"
