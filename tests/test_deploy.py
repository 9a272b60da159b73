"""The deployment's files, checked without a Docker engine: what deploy/compose.yaml promises operators
(health-gated start-up, dispatch scalable, limits, restart policies, no secrets, each container only
its own credentials, only variables the suite reads), what the image's build context holds, and the
Dockerfile's shape. `make lint` also runs hadolint and docker-compose's own validation; running the
compose file's services as processes is tests/test_compose_processes.py.
"""

from __future__ import annotations

import http.server
import os
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths

import services
from services.cli import settings_classes
from shared.provisioning import ProvisioningSettings
from shared.settings_reference import known_variables
from testkit.machine import REPOSITORY
from testkit.processes import free_port
from tests.compose import COMPOSE_FILE, DEPLOY, ENV_EXAMPLE, ComposeService, env_with_passwords, load_compose

INFRASTRUCTURE = ("postgres", "rabbitmq")
ONE_SHOTS = ("provision", "migrate", "seed")


@pytest.fixture(scope="module")
def compose() -> dict[str, ComposeService]:
    return load_compose(env_with_passwords())


def test_the_five_services_run_from_the_one_image_by_command(compose: dict[str, ComposeService]) -> None:
    ours = {name: service for name, service in compose.items() if service.ours}
    assert set(ours) == {*services.NAMES, *ONE_SHOTS}
    assert len({s.spec["image"] for s in ours.values()}) == 1
    # Built once, by the first of ours to start: docker-compose would build a `build:` per service.
    assert [name for name, s in ours.items() if "build" in s.spec] == ["provision"]
    assert compose["provision"].spec["build"]["args"] == {"EXTRA_CA_CERTS": ""}
    assert ours["provision"].command == ["provision"]
    assert ours["migrate"].command == ["migrate"]
    for name in services.NAMES:
        assert compose[name].command == ["run", name]


def test_start_up_is_gated_on_health_and_on_the_one_shot_steps(compose: dict[str, ComposeService]) -> None:
    healthy, done = "service_healthy", "service_completed_successfully"
    assert compose["provision"].depends_on == {"postgres": healthy, "rabbitmq": healthy}
    assert compose["migrate"].depends_on == {"provision": done}
    assert compose["seed"].depends_on == {"migrate": done}
    for name in services.NAMES:
        assert compose[name].depends_on == {"migrate": done, "postgres": healthy, "rabbitmq": healthy}
    for name in INFRASTRUCTURE:
        assert compose[name].healthcheck, f"{name} has no health check to wait for"


def test_each_service_is_healthy_when_its_own_readyz_answers(compose: dict[str, ComposeService]) -> None:
    for name in services.NAMES:
        check = compose[name].healthcheck
        assert check[:3] == ["CMD", "python", "/app/deploy/healthcheck.py"]
        port = services.definition(name).settings_class.default_http_port
        assert check[3:] == [f"http://127.0.0.1:{port}/readyz"]
        assert {"interval", "timeout", "retries", "start_period"} <= set(compose[name].spec["healthcheck"])


def test_the_health_check_fails_when_nothing_answers() -> None:
    closed = f"http://127.0.0.1:{free_port()}/readyz"
    check = subprocess.run([sys.executable, DEPLOY / "healthcheck.py", closed], capture_output=True, timeout=30)
    assert check.returncode == 1


def test_dispatch_scales_with_no_fixed_name_or_host_port(compose: dict[str, ComposeService]) -> None:
    assert "ports" not in compose["dispatch"].spec
    for service in compose.values():
        assert "container_name" not in service.spec, f"{service.name} has a fixed container name"
    published = [port for service in compose.values() for port in service.spec.get("ports", [])]
    assert len(published) == len(set(published)), "two services publish the same host port"


def test_every_container_has_limits_and_a_restart_policy(compose: dict[str, ComposeService]) -> None:
    for service in compose.values():
        limits = service.spec["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0
        assert service.memory_limit_bytes >= 256 * 1024**2
        expected = "no" if service.name in ONE_SHOTS else "unless-stopped"
        assert service.spec["restart"] == expected, service.name
    for name in services.NAMES:
        # longer than the drain on SIGTERM, so Docker does not kill a service mid-drain
        grace = int(compose[name].spec["stop_grace_period"].rstrip("s"))
        assert grace > services.definition(name).settings_class().graceful_timeout_seconds


def test_broker_and_database_keep_their_data_on_named_volumes(compose: dict[str, ComposeService]) -> None:
    document = COMPOSE_FILE.read_text()
    for name, target in (("postgres", "/var/lib/postgresql/data"), ("rabbitmq", "/var/lib/rabbitmq")):
        volume = f"{name}-data"
        assert f"{volume}:{target}" in compose[name].spec["volumes"]
        assert re.search(rf"^  {volume}:", document, re.MULTILINE), f"{volume} is not a named volume"
    assert compose["rabbitmq"].spec["hostname"] == "rabbitmq"  # the node's data directory follows it
    assert compose["rabbitmq"].spec["image"].endswith("-management")


def test_the_broker_memory_watermark_sits_below_its_container_limit(compose: dict[str, ComposeService]) -> None:
    config = (DEPLOY / "rabbitmq" / "aftercare.conf").read_text()
    watermark = re.search(r"^vm_memory_high_watermark\.absolute = (\d+)MB$", config, re.MULTILINE)
    assert watermark is not None
    assert int(watermark[1]) * 1000**2 < 0.7 * compose["rabbitmq"].memory_limit_bytes
    mount_sources = [v.split(":")[0] for s in compose.values() for v in s.spec.get("volumes", []) if v[0] in "./"]
    assert mount_sources
    for source in mount_sources:
        assert (DEPLOY / source).is_file(), f"{source} is mounted but missing"


def test_no_secret_is_written_in_the_compose_file_or_the_example_env() -> None:
    document = COMPOSE_FILE.read_text()
    for credentials in re.findall(r"://[^/@\s]*:([^/@\s]*)@", document):
        assert re.fullmatch(r"\$\{[^}]+\}", credentials), f"a literal password: {credentials}"
    for variable in re.findall(r"\$\{(\w*PASSWORD\w*)", document):
        # the suite's own passwords are required; an outside server's (the mail server's) may be empty
        required, empty = f"${{{variable}:?" in document, f"${{{variable}:-}}" in document
        assert required or empty, f"{variable} must be required, or empty by default: never a default value"
    example = ENV_EXAMPLE.read_text()
    assert re.findall(r"^(\w+_PASSWORD)=(.+)$", example, re.MULTILINE) == []
    referenced = set(re.findall(r"\$\{(\w+)", document))
    offered = set(re.findall(r"^(\w+)=", example, re.MULTILINE)) - {"COMPOSE_PROJECT_NAME"}
    assert referenced == offered, "the example env file and the compose file disagree on the variables"


def test_each_container_gets_only_the_credentials_it_uses(compose: dict[str, ComposeService]) -> None:
    prefixes = {name: services.definition(name).settings_class.model_config["env_prefix"] for name in services.NAMES}
    database_urls = {f"{p}DATABASE_URL" for p in prefixes.values()}
    amqp_urls = {f"{p}AMQP_URL" for p in prefixes.values()}
    administrators = {"AFTERCARE_PROVISION_DATABASE_URL", "AFTERCARE_PROVISION_BROKER_URL"}
    # The OIDC issuer's key set, the services' HTTP addresses the console calls and the console's own
    # address that notifications link to are not credentials.
    addresses = {"AFTERCARE_AUTH_JWKS_URL", "NOTIFY_CONSOLE_URL"} | {
        f"CONSOLE_{name.upper()}_URL" for name in services.NAMES
    }
    for name, prefix in prefixes.items():
        credentials = {k for k in compose[name].environment if k.endswith("_URL") and k not in addresses}
        assert credentials == {f"{prefix}DATABASE_URL", f"{prefix}AMQP_URL"}, name
    assert set(compose["migrate"].environment) == database_urls
    assert set(compose["seed"].environment) == database_urls
    assert set(compose["provision"].environment) == database_urls | amqp_urls | administrators
    for name in INFRASTRUCTURE:
        assert not any(key.startswith("AFTERCARE_") for key in compose[name].environment)


def test_every_variable_given_to_an_aftercare_container_is_one_it_reads(compose: dict[str, ComposeService]) -> None:
    """pydantic-settings ignores unknown variables: a misspelt one would quietly leave the default."""
    known = known_variables(settings_classes(), [ProvisioningSettings])
    for service in compose.values():
        if service.ours:
            assert set(service.environment) <= known, f"{service.name}: {set(service.environment) - known}"
    for name in services.NAMES:
        assert compose[name].environment["AFTERCARE_HTTP_HOST"] == "0.0.0.0"


def _context(root: Path) -> set[str]:
    """The files `docker build` sends from `root`, by the repository's .dockerignore (Docker's own
    pattern rules, as the Docker SDK implements them)."""
    patterns = [line for line in (REPOSITORY / ".dockerignore").read_text().splitlines() if line.strip()]
    sent = exclude_paths(str(root), [p for p in patterns if not p.startswith("#")])
    return {path for path in sent if (root / path).is_file()}


def test_the_build_context_holds_what_the_image_needs_and_no_secret_or_local_state(tmp_path: Path) -> None:
    for path in (
        ".env",
        "deploy/.env",
        ".git/config",
        ".venv/bin/python",
        "services/intake/tests/test_http.py",
        "services/intake/__pycache__/app.cpython-311.pyc",
        "shared/tests/test_outbox.py",
        "tests/test_deploy.py",
        "bench/hop.py",
        "testkit/world.py",
        "services/intake/app.py",
        "services/intake/db/migrations/script.py.mako",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    assert _context(tmp_path) == {"services/intake/app.py", "services/intake/db/migrations/script.py.mako"}

    context = _context(REPOSITORY)
    copied = []
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            copied += shlex.split(line)[1:-1]
        copied += re.findall(r"--mount=type=bind,source=([^,\s]+)", line)
    assert copied
    for source in copied:
        source = source.rstrip("/")
        assert source in context or any(f.startswith(f"{source}/") for f in context), f"{source} not in the context"
    for name in services.NAMES:
        migrations = services.definition(name).migrations_dir.relative_to(REPOSITORY)
        assert f"{migrations}/env.py" in context


def test_the_image_is_multi_stage_locked_and_runs_as_a_non_root_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, re.MULTILINE)
    assert stages == ["build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "uv sync --frozen --no-dev --no-install-project" in dockerfile  # dependencies, cached layer
    assert "--mount=type=cache,target=/root/.cache/uv" in dockerfile
    assert not [run for run in re.findall(r"^RUN .*", runtime, re.MULTILINE) if "uv " in run or "pip " in run]
    assert not re.findall(r"target=(?!/)", dockerfile), "podman refuses a mount target that is not absolute"
    assert 'ARG EXTRA_CA_CERTS=""' in dockerfile.split("AS runtime", 1)[0]  # a proxy's CA, for the build only
    users = re.findall(r"^USER (\S+)$", runtime, re.MULTILINE)
    assert users, "the runtime stage never leaves root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["aftercare"\]$', runtime, re.MULTILINE)


def test_the_call_script_reaches_an_api_with_the_token_and_fails_on_a_refusal(tmp_path: Path) -> None:
    """deploy/call.py, the operators' way to dispatch inside the compose network (no curl in the image)."""
    seen: list[tuple[str, str | None, bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append((self.command, self.headers.get("authorization"), body))
            self.send_response(404 if self.path == "/missing" else 200)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        do_GET = do_POST = _answer  # noqa: N815 - the names http.server looks up

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    script, env = [sys.executable, str(DEPLOY / "call.py")], {**os.environ, "TOKEN": "t0ken"}
    try:
        got = subprocess.run([*script, f"{base}/tickets/T"], env=env, capture_output=True, text=True, timeout=30)
        assert (got.returncode, got.stdout.strip()) == (0, '{"ok": true}')
        posted = subprocess.run([*script, f"{base}/tickets/T/accept", "{}"], env=env, capture_output=True, timeout=30)
        assert posted.returncode == 0
        refused = subprocess.run([*script, f"{base}/missing"], env=env, capture_output=True, timeout=30)
        assert refused.returncode == 1
    finally:
        server.shutdown()
    assert seen[:2] == [("GET", "Bearer t0ken", b""), ("POST", "Bearer t0ken", b"{}")]
