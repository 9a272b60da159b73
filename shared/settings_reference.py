"""The configuration reference (`docs/configuration.md`), written from the settings classes themselves,
so that it cannot drift from them: `aftercare config-reference` writes it and a test compares.

It also names every variable the suite reads, so a deployment's files can be checked for variables
that nothing reads (pydantic-settings ignores unknown ones: a misspelt name would silently fall back to
the default).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import annotated_types
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from shared.settings import SUITE_ENV_PREFIX, ServiceSettings


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, the forms that also set it, and what it does."""

    name: str
    also: tuple[str, ...]
    kind: str
    default: str
    description: str


def env_prefix(settings_class: type[BaseSettings]) -> str:
    return str(settings_class.model_config.get("env_prefix") or "")


def suite_variables() -> list[Variable]:
    """The settings every service reads: `AFTERCARE_<FIELD>`, or `<SERVICE>_<FIELD>` for one service."""
    return [
        Variable(
            name=f"{SUITE_ENV_PREFIX}{name.upper()}",
            also=(f"<SERVICE>_{name.upper()}",),
            kind=_kind(field),
            default=_default(field),
            description=field.description or "",
        )
        for name, field in ServiceSettings.model_fields.items()
    ]


def service_variables(settings_class: type[ServiceSettings]) -> list[Variable]:
    """The settings only one service has; the suite-wide form sets them too."""
    prefix = env_prefix(settings_class)
    return [
        Variable(
            name=f"{prefix}{name.upper()}",
            also=(f"{SUITE_ENV_PREFIX}{name.upper()}",),
            kind=_kind(field),
            default=_default(field),
            description=field.description or "",
        )
        for name, field in settings_class.model_fields.items()
        if name not in ServiceSettings.model_fields
    ]


def plain_variables(settings_class: type[BaseSettings]) -> list[Variable]:
    prefix = env_prefix(settings_class)
    return [
        Variable(f"{prefix}{name.upper()}", (), _kind(field), _default(field), field.description or "")
        for name, field in settings_class.model_fields.items()
    ]


def known_variables(services: Mapping[str, type[ServiceSettings]], others: Sequence[type[BaseSettings]]) -> set[str]:
    """Every variable name some part of the suite reads."""
    names = {variable.name for variable in suite_variables()}
    for settings_class in services.values():
        prefix = env_prefix(settings_class)
        names |= {f"{prefix}{name.upper()}" for name in settings_class.model_fields}
        names |= {f"{SUITE_ENV_PREFIX}{name.upper()}" for name in settings_class.model_fields}
    for other in others:
        names |= {variable.name for variable in plain_variables(other)}
    return names


REMOVED_VARIABLES: dict[tuple[str, ...], str] = {
    ("DISPATCH_LOW_SATISFACTION_SCORE", "AFTERCARE_LOW_SATISFACTION_SCORE"): (
        "The quality desk hears of every dissatisfied customer: a score below 3 of 5, the one threshold that also "
        "reopens the ticket, lists the score in the register and marks the console's chart (`LOWEST_SATISFIED` in "
        "shared/contracts/followups.py). Set, it is ignored and named as unread at start."
    ),
    tuple(
        f"DISPATCH_{name}"
        for name in (
            "CONSOLE_URL",
            "SMTP_HOST",
            "SMTP_PORT",
            "SMTP_SECURITY",
            "SMTP_USERNAME",
            "SMTP_PASSWORD",
            "MAIL_FROM",
            "SMS_PROVIDER",
            "NOTICE_TIMEOUT_SECONDS",
            "NOTICE_TICK_SECONDS",
            "NOTICES_PER_TICK",
            "NOTICE_GIVE_UP_AFTER_HOURS",
        )
    ): (
        "Telling people moved to the notify service: the same settings are `NOTIFY_...` (or `AFTERCARE_...`, "
        "which notify reads as before). Set, they are ignored and named as unread at start."
    ),
}
"""Variables the suite once read, and why no longer: the reference lists them for whoever still sets them."""


def unread_variables(
    environ: Mapping[str, str], services: Mapping[str, type[ServiceSettings]], others: Sequence[type[BaseSettings]]
) -> list[str]:
    """Variables in `environ` that look like the suite's own (they carry one of its prefixes) but that no
    setting reads: most likely misspelt, and otherwise silently ignored."""
    prefixes = (SUITE_ENV_PREFIX, *(env_prefix(c) for c in [*services.values(), *others]))
    known = {name.upper() for name in known_variables(services, others)}
    return sorted(name for name in environ if name.upper().startswith(prefixes) and name.upper() not in known)


def render(services: Mapping[str, type[ServiceSettings]], others: Sequence[type[BaseSettings]]) -> str:
    """The whole reference as Markdown."""
    prefixes = ", ".join(f"`{env_prefix(c).rstrip('_')}`" for c in services.values())
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from the settings classes by `uv run aftercare config-reference --output "
        "docs/configuration.md`; tests/test_configuration.py fails when this file and the code disagree. -->",
        "",
        "Aftercare is configured by environment variables only. A service reads `<SERVICE>_<SETTING>` first "
        f"(`<SERVICE>` is one of {prefixes}), then the suite-wide `AFTERCARE_<SETTING>`, then the default, "
        "which works against PostgreSQL and RabbitMQ on localhost. Names are case-insensitive.",
        "",
        "## Every service",
        "",
        *_table(suite_variables()),
        "",
        "Default HTTP ports (`http_port` = 0): "
        + ", ".join(f"{name} {c.default_http_port}" for name, c in services.items())
        + ".",
    ]
    for name, settings_class in services.items():
        own = service_variables(settings_class)
        if own:
            lines += ["", f"## {name} only", "", *_table(own)]
    for other in others:
        lines += ["", f"## {_title(other)}", "", *_table(plain_variables(other))]
    lines += ["", "## Removed", "", "| variable | why it is gone |", "|---|---|"]
    lines += [
        f"| {'<br>or '.join(f'`{n}`' for n in names)} | {_cell(why)} |" for names, why in REMOVED_VARIABLES.items()
    ]
    return "\n".join(lines) + "\n"


def _title(settings_class: type[BaseSettings]) -> str:
    doc = (settings_class.__doc__ or settings_class.__name__).strip().splitlines()[0]
    return doc.rstrip(".")


def _table(variables: Sequence[Variable]) -> list[str]:
    rows = ["| variable | type | default | what it does |", "|---|---|---|---|"]
    for variable in variables:
        also = "".join(f"<br>or `{name}`" for name in variable.also)
        rows.append(
            f"| `{variable.name}`{also} | {variable.kind} | {variable.default} | {_cell(variable.description)} |"
        )
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _kind(field: FieldInfo) -> str:
    annotation = field.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{choice}`" for choice in typing.get_args(annotation))
    kind = getattr(annotation, "__name__", str(annotation))
    bounds = [_bound(constraint) for constraint in field.metadata]
    bounds = [b for b in bounds if b]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _bound(constraint: object) -> str:
    for attribute, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if isinstance(constraint, getattr(annotated_types, attribute.capitalize())):
            return f"{symbol} {getattr(constraint, attribute)}"
    return ""


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    return f"`{value}`" if value not in (None, "") else "(none)"
