"""The configuration reference is the settings classes, written out: it names every variable the
suite reads, with its default and meaning, and changes whenever they do."""

from __future__ import annotations

from pathlib import Path

import pytest

import services
from services.cli import settings_classes
from shared.provisioning import ProvisioningSettings
from shared.settings import ServiceSettings
from shared.settings_reference import known_variables, render, unread_variables

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_the_committed_reference_is_the_one_the_settings_classes_give() -> None:
    expected = render(settings_classes(), [ProvisioningSettings])
    assert REFERENCE.read_text() == expected, (
        "docs/configuration.md is stale: run `uv run aftercare config-reference --output docs/configuration.md`"
    )


@pytest.mark.parametrize("name", services.NAMES)
def test_the_reference_names_every_field_of_every_service_with_its_default(name: str) -> None:
    reference = REFERENCE.read_text()
    settings_class = services.definition(name).settings_class
    prefix = str(settings_class.model_config.get("env_prefix"))
    for field_name, field in settings_class.model_fields.items():
        form = (
            f"<SERVICE>_{field_name.upper()}"
            if field_name in ServiceSettings.model_fields
            else prefix + field_name.upper()
        )
        row = next((line for line in reference.splitlines() if f"`{form}`" in line), None)
        assert row is not None, f"{form} is missing from the reference"
        default = field.get_default()
        assert (f"`{default}`" if default not in (None, "") else "(none)") in row
        assert (field.description or "") in row


def test_what_the_reference_names_is_what_the_settings_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sample of the names, set in the environment, reaches the settings they claim to set."""
    variables = known_variables(settings_classes(), [ProvisioningSettings])
    assert {"AFTERCARE_PREFETCH", "DISPATCH_PREFETCH", "INTAKE_DUPLICATE_WINDOW_MINUTES"} <= variables
    monkeypatch.setenv("AFTERCARE_PREFETCH", "7")
    monkeypatch.setenv("DISPATCH_PREFETCH", "9")
    monkeypatch.setenv("AFTERCARE_PROVISION_BROKER_URL", "http://admin:secret@broker:15672")
    assert services.definition("intake").settings_class().prefetch == 7
    assert services.definition("dispatch").settings_class().prefetch == 9
    assert ProvisioningSettings().broker_url == "http://admin:secret@broker:15672"


def test_a_misspelt_variable_is_named_not_silently_ignored() -> None:
    environment = {
        "DISPATCH_PREFECTH": "9",  # misspelt: pydantic-settings alone would ignore it
        "dispatch_prefetch": "9",
        "AFTERCARE_LOG_LEVEL": "DEBUG",
        "INTAKE_DUPLICATE_WINDOW_MINUTES": "5",
        "AFTERCARE_PROVISION_BROKER_URL": "http://admin:secret@broker:15672",
        "ARCHIVE_HTTP_PROT": "9005",
        "PATH": "/usr/bin",
    }
    unread = unread_variables(environment, settings_classes(), [ProvisioningSettings])
    assert unread == ["ARCHIVE_HTTP_PROT", "DISPATCH_PREFECTH"]
