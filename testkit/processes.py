"""`aftercare` commands as processes of their own, as operators and containers run them."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A port free now and never handed out before in this run: the OS may offer a port again as soon
    as the probe closes, and two services told the same port would leave one of them dead."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


@dataclass
class Process:
    """An `aftercare` command running as its own process, its output kept in a file (a pipe nobody
    reads would fill up and block the process's logging)."""

    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: signal.Signals, timeout: float = 60) -> tuple[int, str]:
        self.popen.send_signal(sig)
        returncode = self.popen.wait(timeout=timeout)
        return returncode, self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def aftercare_process(*args: str, env: dict[str, str], log_dir: Path) -> Iterator[Process]:
    """`aftercare ARGS...` as a process of its own, killed on the way out if still running."""
    with python_process("-m", "services", *args, env=env, log_dir=log_dir) as process:
        yield process


@contextmanager
def python_process(*args: str, env: dict[str, str], log_dir: Path) -> Iterator[Process]:
    """`python ARGS...` (this environment's interpreter) as a process of its own, killed on the way out
    if still running."""
    label = re.sub(r"[^\w.]+", "-", " ".join(args)).strip("-")[:80]  # arguments may be paths
    log = log_dir / f"{label}-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as output:
        # A group of its own: what it starts (`aftercare up`'s services) is killed with it, even when a test
        # times out; orphaned services would otherwise load the box for every test after it.
        popen = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, *args], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield Process(popen, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait()


def http_ports(ports: dict[str, int]) -> dict[str, str]:
    """The environment variables that give each service its HTTP port."""
    return {f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()}


def service_pids(parent: int) -> dict[str, int]:
    """The `services run NAME` processes `parent` started, by service name."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"run" in command and command.index(b"run") + 1 < len(command):
            found[command[command.index(b"run") + 1].decode()] = int(entry.name)
    return found


async def is_ready(url: str) -> bool:
    """Whether the service at `url` answers its readiness check."""
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=1)).status_code == 200
    except httpx.HTTPError:
        return False
