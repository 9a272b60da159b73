"""deploy/compose.yaml run for real, on a container engine: podman (with runc) serving Docker's API,
driven by Debian's docker-compose, with stand-ins for the official images built from Debian's packages
(deploy/stand-ins; no registry is reachable here). `scripts/container-engine` prepares all of it.

The suite comes up with the demo site; requests flow at 5/s while dispatch is scaled to three, one
replica is stopped and the RabbitMQ container is restarted; then every ticket has been assigned (or
waits in the manager's queue, by rule), clocked and archived exactly once, nothing was written to
/run or /var/tmp (podman mounts a tmpfs there in a read-only container, Docker does not), and every
container of ours runs as user 10001 on a read-only root with no capabilities and a memory limit. The build
time, the time to healthy and the recovery times are printed; the logs are kept on failure.

Podman 4.3 without systemd never runs health checks by itself ("unable to get systemd connection to
add healthchecks"), and docker-compose waits on them, so the test runs them (`podman healthcheck run`)
every five seconds, as Docker's engine would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from testkit.campaign import every_ticket_whole
from testkit.figures import report
from testkit.identities import ADMIN
from testkit.machine import REPOSITORY
from testkit.processes import free_port
from testkit.waiting import eventually
from tests.compose import COMPOSE_FILE, DEPLOY, env_with_passwords

STAND_INS = DEPLOY / "stand-ins" / "compose.stand-ins.yaml"
PUBLISHED = ("RABBITMQ_UI", "INTAKE", "SLA", "VENDOR", "ARCHIVE", "CONSOLE", "WEBHOOKS", "NOTIFY")
REQUESTS = 240
RATE = 5.0


def _engine() -> dict[str, str]:
    prepared = subprocess.run(
        [REPOSITORY / "scripts" / "container-engine"], check=True, capture_output=True, text=True, timeout=1200
    )
    docker_host = prepared.stdout.strip().splitlines()[-1].removeprefix("DOCKER_HOST=")
    return {**os.environ, "DOCKER_HOST": docker_host}


class Deployment:
    def __init__(self, engine: dict[str, str], env_file: Path, project: str) -> None:
        self.engine, self.env_file, self.project = engine, env_file, project

    def compose(self, *args: str, timeout: float = 900) -> str:
        command = ["docker-compose", "-p", self.project, "--env-file", str(self.env_file),
                   "-f", str(COMPOSE_FILE), "-f", str(STAND_INS), "--profile", "demo", *args]  # fmt: skip
        done = subprocess.run(command, env=self.engine, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"docker-compose {' '.join(args)}: {done.stderr[-4000:]}")
        return done.stdout

    def podman(self, *args: str) -> str:
        done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)
        return done.stdout if done.returncode == 0 else ""

    def containers(self, service: str | None = None) -> list[str]:
        label = f"com.docker.compose.project={self.project}"
        names = self.podman("ps", "--filter", f"label={label}", "--format", "{{.Names}}").split()
        return [n for n in names if service is None or n.startswith(f"{self.project}_{service}_")]

    @contextmanager
    def health_checks_run(self) -> Iterator[None]:
        running = True

        def loop() -> None:
            while running:
                for name in self.containers():
                    self.podman("healthcheck", "run", name)
                time.sleep(5)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            running = False
            thread.join(timeout=30)

    def all_healthy(self) -> bool:
        names = self.containers()
        states = [self.podman("inspect", "--format", "{{.State.Health.Status}}", n).strip() for n in names]
        return bool(names) and all(state in ("healthy", "") for state in states) and "healthy" in states


def _prepared(tmp_path: Path) -> tuple[Deployment, dict[str, int]]:
    """The engine, and an env file as an operator fills it in, with free host ports and the machine's own
    CA for the build (this machine reaches PyPI through a TLS-inspecting proxy)."""
    engine = _engine()
    ports = {name: free_port() for name in PUBLISHED}
    extra_ca = "".join(path.read_text() for path in sorted(Path("/usr/local/share/ca-certificates").glob("*.crt")))
    variables = {
        **env_with_passwords(),
        "COMPOSE_PROJECT_NAME": f"aftercare{uuid.uuid4().hex[:6]}",
        **{f"{name}_PUBLISH_PORT": str(port) for name, port in ports.items()},
    }
    env_file = tmp_path / "deploy.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in variables.items()))
    # A value of several lines cannot go in an env file; the shell's environment wins over it anyway.
    engine = {**engine, "AFTERCARE_BUILD_EXTRA_CA": extra_ca}
    return Deployment(engine, env_file, variables["COMPOSE_PROJECT_NAME"]), ports


@pytest.mark.timeout(1800)
async def test_the_compose_deployment_runs_on_an_engine_and_loses_nothing(tmp_path: Path) -> None:
    deployment, ports = await asyncio.to_thread(_prepared, tmp_path)
    intake, archive = f"http://127.0.0.1:{ports['INTAKE']}", f"http://127.0.0.1:{ports['ARCHIVE']}"
    figures: dict[str, float] = {}
    try:
        since = time.monotonic()
        await asyncio.to_thread(deployment.compose, "build")
        figures["build"] = time.monotonic() - since
        with deployment.health_checks_run():
            since = time.monotonic()
            await asyncio.to_thread(deployment.compose, "up", "-d")
            await eventually(lambda: asyncio.to_thread(deployment.all_healthy), timeout=300, interval=2,
                             what="every container healthy")  # fmt: skip
            figures["up to healthy"] = time.monotonic() - since

            accepted: list[str] = []
            refused: Counter[str] = Counter()
            load = asyncio.create_task(_requests(intake, accepted, refused))
            await asyncio.sleep(8)
            await asyncio.to_thread(deployment.compose, "up", "-d", "--no-recreate", "--scale", "dispatch=3")
            assert len(deployment.containers("dispatch")) == 3
            await asyncio.sleep(8)
            since = time.monotonic()
            deployment.podman("stop", deployment.containers("dispatch")[0])
            figures["a dispatch replica stopped (podman stop)"] = time.monotonic() - since
            await asyncio.sleep(8)
            since = time.monotonic()
            await asyncio.to_thread(deployment.compose, "restart", "rabbitmq")
            await eventually(lambda: asyncio.to_thread(deployment.all_healthy), timeout=300, interval=2,
                             what="healthy after the broker's restart")  # fmt: skip
            figures["RabbitMQ restarted, healthy again"] = time.monotonic() - since
            await load
            report(
                f"{len(accepted)} requests accepted, refused: {dict(refused)}\n"
                + "".join(f"  {what:<52} {seconds:6.1f} s\n" for what, seconds in figures.items())
            )
            assert len(accepted) >= REQUESTS * 0.95, refused
            await every_ticket_whole(archive, accepted, may_wait_in_queue=True)
            for name in deployment.containers():
                if "_postgres_" in name or "_rabbitmq_" in name:
                    continue
                written = deployment.podman("exec", name, "find", "/run", "/var/tmp", "-mindepth", "1", "-type", "f")
                assert written.strip() == "", f"{name} wrote {written}"
                # The hardening in force: a user of its own, a read-only root, no capabilities, a memory limit.
                facts = "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}}"
                user, read_only, memory = deployment.podman("inspect", "--format", facts, name).split()
                assert (user, read_only) == ("10001:10001", "true"), name
                assert 0 < int(memory) <= 512 * 1024 * 1024, name
                status = deployment.podman("exec", name, "cat", "/proc/1/status")
                assert "CapEff:\t0000000000000000" in status, f"{name} keeps capabilities"
    except BaseException:
        logs = await asyncio.to_thread(deployment.compose, "logs", "--no-color", timeout=300)
        print(f"--- the deployment's logs ---\n{logs[-20000:]}")
        raise
    finally:
        await asyncio.to_thread(deployment.compose, "down", "-v", "--remove-orphans")


async def _requests(intake: str, accepted: list[str], refused: Counter[str]) -> None:
    async with httpx.AsyncClient(headers=ADMIN, timeout=30) as client:

        async def one(n: int) -> None:
            request = {
                "site_code": "HH138", "subsystem": ("bgm", "av", "signage", "control")[n % 4], "channel": "hotline",
                "description": f"Engine test call {n}", "reporter": {"name": "Engine test desk"},
            }  # fmt: skip
            try:
                answer = await client.post(f"{intake}/requests", json=request)
            except httpx.HTTPError as error:
                refused[type(error).__name__] += 1
                return
            if answer.status_code == 201:
                accepted.append(answer.json()["ticket_id"])
            else:
                refused[str(answer.status_code)] += 1

        tasks = []
        for n in range(REQUESTS):
            tasks.append(asyncio.create_task(one(n)))
            await asyncio.sleep(1 / RATE)
        await asyncio.gather(*tasks)
