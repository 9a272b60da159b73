"""`aftercare up`: the whole suite as a process per service on one machine, supervised until Ctrl-C.

A service that dies is started again after a pause that doubles with each death (1 s, 2 s, 4 s ... at
most 30 s), and the others keep serving meanwhile: what the dead one held waits in its queue. Only a
service that dies more than MAX_DEATHS times in a row, each time before it had run STABLE_UPTIME
seconds, stops the suite, since restarting it again would only hide the fault.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
import typer

import services

MAX_DEATHS = 5
STABLE_UPTIME = 60.0
MAX_PAUSE = 30.0


@dataclass
class Supervised:
    name: str
    process: subprocess.Popen[bytes] = field(init=False)
    started_at: float = 0.0  # monotonic seconds
    deaths: int = 0  # in a row, each soon after its start
    restart_at: float | None = None

    def __post_init__(self) -> None:
        self.start()

    def start(self) -> None:
        command = [sys.executable, "-m", "services", "run", self.name]
        self.process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
        self.started_at = time.monotonic()
        self.restart_at = None

    def died(self) -> bool:
        """Whether it died since last asked (and was not already waiting to start again)."""
        return self.restart_at is None and self.process.poll() is not None

    def pause_after_death(self, now: float) -> float | None:
        """Count the death; the pause before starting it again, or None when it died too often."""
        self.deaths, pause = pause_after(self.deaths, lived=now - self.started_at)
        return pause


def pause_after(deaths: int, *, lived: float) -> tuple[int, float | None]:
    """Deaths in a row with this one (that had run `lived` seconds), and how long to wait before starting
    the service again: None once it died more than MAX_DEATHS times in a row, each soon after starting."""
    in_a_row = 1 if lived >= STABLE_UPTIME else deaths + 1
    if in_a_row > MAX_DEATHS:
        return in_a_row, None
    return in_a_row, min(MAX_PAUSE, 2.0 ** (in_a_row - 1))


def run_suite(urls: dict[str, str], ready_timeout: float) -> None:
    """Run every service as its own process; say where each listens once all are ready; start a dead
    one again; on Ctrl-C or SIGTERM stop them all cleanly."""
    children = {name: Supervised(name) for name in services.NAMES}
    stopping = False
    failed = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    not_ready = dict(urls)
    ready_by = time.monotonic() + ready_timeout
    try:
        while not stopping:
            now = time.monotonic()
            for child in children.values():
                if stopping:  # Ctrl-C reaches the children too: their exits are no deaths
                    break
                if child.died():
                    pause = child.pause_after_death(now)
                    if pause is None:
                        typer.echo(
                            f"{child.name} exited with {child.process.returncode}, {child.deaths} times in a row "
                            f"within {STABLE_UPTIME:.0f}s of starting; stopping the suite",
                            err=True,
                        )
                        stopping = failed = True
                        break
                    typer.echo(
                        f"{child.name} exited with {child.process.returncode}; starting it again in {pause:.0f}s",
                        err=True,
                    )
                    child.restart_at = now + pause
                elif child.restart_at is not None and now >= child.restart_at:
                    child.start()
                    typer.echo(f"{child.name} started again (pid {child.process.pid})", err=True)
            if not_ready and not stopping:
                _look_at_readiness(not_ready)
                if not not_ready:
                    _announce(urls)
                elif now > ready_by:
                    typer.echo(f"not ready after {ready_timeout:.0f}s: {', '.join(not_ready)}", err=True)
                    stopping = failed = True
            time.sleep(0.2)
    finally:
        _terminate([child.process for child in children.values()])
    if failed:
        raise typer.Exit(1)


def _look_at_readiness(pending: dict[str, str]) -> None:
    for name, url in list(pending.items()):
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                del pending[name]
        except httpx.HTTPError:
            pass


def _announce(urls: dict[str, str]) -> None:
    typer.echo("\nAftercare is up:")
    for name, url in urls.items():
        typer.echo(f"  {name:<9} {url}   (docs {url}/docs, ready {url}/readyz)")
    if "console" in urls:
        pages = urls["console"].replace("127.0.0.1", "localhost")
        typer.echo(f"The console's pages: {pages}/ (sign in with a password the seed printed above)")
    typer.echo("Ctrl-C stops every service cleanly; a service that dies is started again.")


def _terminate(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
