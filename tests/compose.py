"""deploy/compose.yaml as the tests read it: its services with their commands, environments,
dependencies and health checks, interpolated from an env file the way docker compose does it, and
moved onto this machine (the local broker and database, names unique to the run, free ports) so that
the tests can run each service's command as a local process.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from shared.identity import one_line
from testkit.identities import PRIVATE_KEY, PUBLIC_KEY
from testkit.machine import AMQP_BASE_URL, BROKER_ADMIN_URL, POSTGRES_URL, REPOSITORY

DEPLOY = REPOSITORY / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
IMAGE_WORKDIR = "/app"  # WORKDIR in deploy/Dockerfile: where the image keeps the repository's files

# Compose's interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}|(?P<bare>\w+))"
)


class MissingVariable(KeyError):
    """A variable the compose file requires (${NAME:?...}) is not set."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped."""
    variables = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            variables[key.strip()] = value.strip()
    return variables


def env_with_passwords(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """The example env file as an operator fills it in: every empty password given a random one."""
    return {
        key: value or (secrets.token_hex(16) if key.endswith("_PASSWORD") else FILLED.get(key, value))
        for key, value in read_env_file(path).items()
    }


# What `aftercare keys` printed, as the operator pastes it.
FILLED = {"AFTERCARE_AUTH_PUBLIC_KEY": PUBLIC_KEY, "CONSOLE_SIGNING_KEY": one_line(PRIVATE_KEY)}


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        operator, argument = match["operator"] or "", match["argument"] or ""
        current = variables.get(name)
        missing = not current if operator.startswith(":") else current is None
        if operator.endswith("-") and missing:
            return argument
        if operator.endswith("?") and missing:
            raise MissingVariable(argument or f"{name} is required")
        return current or ""

    return _VARIABLE.sub(substitute, value)


def _interpolated(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolated(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(item, variables) for key, item in node.items()}
    return node


@dataclass(frozen=True)
class ComposeService:
    name: str
    spec: dict[str, Any]

    @property
    def ours(self) -> bool:
        """Our image (an Aftercare command), built from this repository and never pulled, not a broker or
        database image."""
        return self.spec.get("pull_policy") == "never"

    @property
    def one_shot(self) -> bool:
        return str(self.spec.get("restart", "no")) == "no"

    @property
    def command(self) -> list[str]:
        return [str(part) for part in self.spec.get("command", [])]

    @property
    def environment(self) -> dict[str, str]:
        raw = self.spec.get("environment") or {}
        if isinstance(raw, list):
            raw = dict(item.partition("=")[::2] for item in raw)
        return {str(key): str(value) for key, value in raw.items()}

    @property
    def depends_on(self) -> dict[str, str]:
        """Each dependency and the condition it must meet."""
        raw = self.spec.get("depends_on") or {}
        if isinstance(raw, list):
            return dict.fromkeys(raw, "service_started")
        return {name: str(rule.get("condition", "service_started")) for name, rule in raw.items()}

    @property
    def healthcheck(self) -> list[str]:
        test = (self.spec.get("healthcheck") or {}).get("test") or []
        return [str(part) for part in test]

    @property
    def memory_limit_bytes(self) -> int:
        limit = str(self.spec["deploy"]["resources"]["limits"]["memory"])
        number, unit = re.fullmatch(r"(\d+)([KMG]?)B?", limit.upper()).groups()  # type: ignore[union-attr]
        return int(number) * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]


def load_compose(variables: Mapping[str, str]) -> dict[str, ComposeService]:
    """The compose file's services, interpolated with `variables` (YAML anchors and merges resolved)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    return {name: ComposeService(name, _interpolated(spec, variables)) for name, spec in document["services"].items()}


def start_waves(compose: Mapping[str, ComposeService], profiles: set[str]) -> list[list[ComposeService]]:
    """The services in the order compose starts them: each wave depends only on earlier waves."""
    chosen = {n: s for n, s in compose.items() if not set(s.spec.get("profiles", [])) - profiles}
    waves: list[list[ComposeService]] = []
    placed: set[str] = set()
    while len(placed) < len(chosen):
        wave = [s for n, s in chosen.items() if n not in placed and set(s.depends_on) <= placed]
        if not wave:
            raise ValueError(f"dependency cycle among {sorted(set(chosen) - placed)}")
        waves.append(wave)
        placed |= {s.name for s in wave}
    return waves


@dataclass(frozen=True)
class LocalMachine:
    """Where compose's services land on this machine: every database and virtual host of the compose
    file becomes `place`, every role and user is prefixed with `place`, administrators are the local
    ones."""

    place: str

    def environment(self, service: ComposeService) -> dict[str, str]:
        return {key: self._local(key, value) for key, value in service.environment.items()}

    def _local(self, key: str, value: str) -> str:
        if key == "AFTERCARE_PROVISION_DATABASE_URL":
            return POSTGRES_URL
        if key == "AFTERCARE_PROVISION_BROKER_URL":
            return BROKER_ADMIN_URL
        if key.endswith("_DATABASE_URL"):
            url, server = make_url(value), make_url(POSTGRES_URL)
            return url.set(
                host=server.host, port=server.port, database=self.place, username=f"{self.place}_{url.username}"
            ).render_as_string(hide_password=False)
        if key.endswith("_AMQP_URL"):
            parts, broker = urlsplit(value), urlsplit(AMQP_BASE_URL)
            user = f"{self.place}_{unquote(parts.username or '')}"
            return (
                f"amqp://{user}:{parts.password}@{broker.hostname}:{broker.port or 5672}/{quote(self.place, safe='')}"
            )
        if key.endswith("_HTTP_HOST"):
            return "127.0.0.1"  # containers listen on every interface; a test process only on loopback
        return value

    def healthcheck(self, service: ComposeService, port: int) -> list[str]:
        """The service's health check command, run from this repository against the process's port."""
        kind, program, *arguments = service.healthcheck
        if (kind, program) != ("CMD", "python"):
            raise ValueError(f"{service.name}: a health check this test cannot run: {service.healthcheck}")
        local = [a.replace(f"{IMAGE_WORKDIR}/", f"{REPOSITORY}/", 1) for a in arguments]
        return [sys.executable, *(re.sub(r"(//127\.0\.0\.1):\d+/", rf"\1:{port}/", a) for a in local)]
