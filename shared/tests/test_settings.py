"""A service's own variable beats the suite-wide one, which beats the default; whatever the
environment the tests themselves run in."""

import os
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from shared.settings import SUITE_ENV_PREFIX, ServiceSettings


class LeftSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEFT_", extra="ignore")
    service_name: ClassVar[str] = "left"
    default_http_port: ClassVar[int] = 8101


class RightSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RIGHT_", extra="ignore")
    service_name: ClassVar[str] = "right"
    default_http_port: ClassVar[int] = 8102


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget any setting the machine running the tests has (AFTERCARE_PREFETCH, say)."""
    for name in os.environ:
        if name.upper().startswith((SUITE_ENV_PREFIX, "LEFT_", "RIGHT_")):
            monkeypatch.delenv(name)


def test_a_service_variable_beats_the_suite_variable_which_beats_the_default(monkeypatch) -> None:
    assert LeftSettings().prefetch == 32
    monkeypatch.setenv("AFTERCARE_PREFETCH", "8")
    assert LeftSettings().prefetch == 8
    assert RightSettings().prefetch == 8
    monkeypatch.setenv("LEFT_PREFETCH", "64")
    assert LeftSettings().prefetch == 64
    assert RightSettings().prefetch == 8


def test_each_service_has_its_own_default_port(monkeypatch) -> None:
    assert (LeftSettings().port, RightSettings().port) == (8101, 8102)
    monkeypatch.setenv("LEFT_HTTP_PORT", "9001")
    assert LeftSettings().port == 9001
    assert RightSettings().port == 8102
