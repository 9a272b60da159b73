"""`aftercare up`: the whole suite as a process per service on one machine, until Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import typer

import services


def run_suite(urls: dict[str, str], ready_timeout: float) -> None:
    """Run every service as its own process; say where each listens once all are ready; on Ctrl-C or
    SIGTERM, or when one exits, stop them all cleanly."""
    children = {
        name: subprocess.Popen([sys.executable, "-m", "services", "run", name], env=os.environ.copy())  # noqa: S603
        for name in services.NAMES
    }
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if _wait_ready(urls, children, ready_timeout):
            typer.echo("\nAftercare is up:")
            for name, url in urls.items():
                typer.echo(f"  {name:<9} {url}   (docs {url}/docs, ready {url}/readyz)")
            if "console" in urls:
                pages = urls["console"].replace("127.0.0.1", "localhost")
                typer.echo(f"The console's pages: {pages}/ (sign in with a password the seed printed above)")
            typer.echo("Ctrl-C stops every service cleanly.")
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.2)
        for name, child in children.items():
            if child.poll() is not None and not stopping:
                typer.echo(f"{name} exited with {child.returncode}; stopping the others", err=True)
    finally:
        _terminate(children)


def _wait_ready(urls: dict[str, str], children: dict[str, subprocess.Popen[bytes]], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            if children[name].poll() is not None:
                typer.echo(f"{name} exited with {children[name].returncode} during start-up", err=True)
                return False
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    if pending:
        typer.echo(f"not ready after {timeout:.0f}s: {', '.join(pending)}", err=True)
    return not pending


def _terminate(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
