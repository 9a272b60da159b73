"""The standard policy exists twice: as the domain's constant and as the frozen copy migration 0002
stored as version 1 of `standard`. They must say the same."""

import importlib.util

from services.sla.app import service
from services.sla.domain.policy import STANDARD_POLICY, Policy
from shared.contracts import ClockKind, Priority, ServiceKind


def _migration_copy() -> dict:
    [path] = (service.migrations_dir / "versions").glob("0002_*.py")
    spec = importlib.util.spec_from_file_location("sla_migration_0002", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STANDARD_POLICY


def test_the_migrations_frozen_copy_is_the_domains_standard_policy() -> None:
    assert Policy.model_validate(_migration_copy()) == STANDARD_POLICY


def test_the_standard_policy_keeps_the_plans_headline_promises() -> None:
    on_site = STANDARD_POLICY.target_for(ClockKind.ON_SITE, ServiceKind.FAULT, Priority.NORMAL)
    assert on_site is not None
    assert (on_site.duration(True).total_seconds() / 60, on_site.duration(False).total_seconds() / 60) == (240, 480)
    response = STANDARD_POLICY.target_for(ClockKind.RESPONSE, ServiceKind.COMPLAINT, Priority.LOW)
    assert response is not None
    assert response.minutes == 30
    assert STANDARD_POLICY.target_for(ClockKind.ON_SITE, ServiceKind.CONSULTATION, Priority.NORMAL) is None
