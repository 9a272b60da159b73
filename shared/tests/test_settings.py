from services.dispatch.settings import DispatchSettings
from services.intake.settings import IntakeSettings


def test_a_service_variable_beats_the_suite_variable_which_beats_the_default(monkeypatch) -> None:
    assert DispatchSettings().prefetch == 16
    monkeypatch.setenv("AFTERCARE_PREFETCH", "8")
    assert DispatchSettings().prefetch == 8
    assert IntakeSettings().prefetch == 8
    monkeypatch.setenv("DISPATCH_PREFETCH", "32")
    assert DispatchSettings().prefetch == 32
    assert IntakeSettings().prefetch == 8


def test_each_service_has_its_own_default_port(monkeypatch) -> None:
    assert (IntakeSettings().port, DispatchSettings().port) == (8001, 8002)
    monkeypatch.setenv("INTAKE_HTTP_PORT", "9001")
    assert IntakeSettings().port == 9001
