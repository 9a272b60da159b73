"""The Aftercare services, each a package of its own: intake, dispatch, sla, vendor, archive, the
console (the people who sign in, and their pages), webhooks (the customer's own systems) and notify
(telling people)."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.service import ServiceDefinition

NAMES = ("intake", "dispatch", "sla", "vendor", "archive", "console", "webhooks", "notify")


def definition(name: str) -> ServiceDefinition:
    """The wiring of one service, imported only when asked for."""
    if name not in NAMES:
        raise KeyError(f"unknown service {name!r}; services are: {', '.join(NAMES)}")
    service: ServiceDefinition = import_module(f"services.{name}.app").service
    return service
