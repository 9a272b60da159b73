"""`aftercare`: run, provision, migrate and seed the services, bring the suite up, inspect dead letters,
write the configuration reference."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

import services
from shared.contracts.catalogue import snapshot_problems, write_snapshots
from shared.logs import configure_logging
from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters
from shared.messaging.topology import watch_events
from shared.persistence import migrations
from shared.persistence.database import ensure_database
from shared.provisioning import (
    ProvisioningError,
    ProvisioningSettings,
    ServiceAccess,
    provision_broker,
    provision_database,
)
from shared.service import seed_site
from shared.settings import ServiceSettings
from shared.settings_reference import render
from shared.site_file import DEMO_SITE

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
contracts = typer.Typer(help="Message contracts and their committed JSON Schemas.", no_args_is_help=True)
dead_letters = typer.Typer(help="Messages that could not be handled, per service queue.", no_args_is_help=True)
app.add_typer(contracts, name="contracts")
app.add_typer(dead_letters, name="dead-letters")

ServiceNames = Annotated[
    list[str] | None, typer.Argument(help=f"Services ({', '.join(services.NAMES)}); default: all.")
]


def _chosen(names: list[str] | None) -> list[str]:
    chosen = names or list(services.NAMES)
    unknown = [n for n in chosen if n not in services.NAMES]
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(services.NAMES)}")
    return chosen


@app.command()
def run(name: Annotated[str, typer.Argument(help="The service to run.")]) -> None:
    """Run one service: its consumers, outbox relay and HTTP API (health, readiness, metrics)."""
    import uvicorn

    from shared.http import create_app
    from shared.runtime import ServiceRuntime

    definition = services.definition(_chosen([name])[0])
    settings = definition.settings_class()
    configure_logging(name, log_format=settings.log_format, level=settings.log_level)
    runtime = ServiceRuntime(definition, settings)
    uvicorn.run(
        create_app(runtime),
        host=settings.http_host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
    )


@app.command()
def migrate(names: ServiceNames = None) -> None:
    """Create the database if needed and apply each service's migrations to its own schema."""
    for name in _chosen(names):
        definition = services.definition(name)
        url = definition.settings_class().database_url
        if asyncio.run(ensure_database(url)):
            typer.echo(f"created database for {name}")
        migrations.upgrade(definition.migrations_dir, url)
        typer.echo(f"{name}: schema {definition.metadata.schema} at head")


@app.command()
def provision(
    names: ServiceNames = None,
    database: Annotated[bool, typer.Option(help="Create the PostgreSQL roles, database and schemas.")] = True,
    broker: Annotated[bool, typer.Option(help="Create the RabbitMQ virtual host, users and permissions.")] = True,
) -> None:
    """Create what each service connects as, from its own DATABASE_URL and AMQP_URL: a PostgreSQL role
    owning only its schema and a RabbitMQ user for only its own queues (safe to repeat; rotates passwords).

    Uses the administrator connections AFTERCARE_PROVISION_DATABASE_URL and AFTERCARE_PROVISION_BROKER_URL.
    """
    admin = ProvisioningSettings()
    accounts = [ServiceAccess.of(services.definition(name), _settings(name)) for name in _chosen(names)]
    done: list[str] = []
    try:
        if database:
            done += asyncio.run(provision_database(admin.database_url, accounts))
        if broker:
            done += provision_broker(admin.broker_url, accounts)
    except ProvisioningError as refused:
        typer.echo(f"not provisioned: {refused}", err=True)
        raise typer.Exit(1) from refused
    finally:
        for line in done:
            typer.echo(line)


@app.command("config-reference")
def config_reference(
    output: Annotated[Path | None, typer.Option(help="Write it to this file instead of printing it.")] = None,
) -> None:
    """Print (or write) the reference of every environment variable, from the settings classes."""
    reference = render(settings_classes(), [ProvisioningSettings])
    if output is None:
        typer.echo(reference, nl=False)
    else:
        output.write_text(reference)
        typer.echo(f"wrote {output}")


def settings_classes() -> dict[str, type[ServiceSettings]]:
    """Each service's settings class, by service name."""
    return {name: services.definition(name).settings_class for name in services.NAMES}


@app.command()
def seed(
    names: ServiceNames = None,
    site: Annotated[Path, typer.Option(help="Site description (TOML).", exists=True, dir_okay=False)] = DEMO_SITE,
) -> None:
    """Load a site description; each service stores its own part (safe to repeat)."""
    for name in _chosen(names):
        definition = services.definition(name)
        summary = asyncio.run(seed_site(definition, definition.settings_class().database_url, site))
        if summary is not None:
            typer.echo(f"{name}: {summary}")


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Load the demo site (138 Huaihai Road).")] = True,
    ready_timeout: Annotated[float, typer.Option(help="Seconds to wait for every service to be ready.")] = 60,
) -> None:
    """Migrate, seed the demo site and run all five services as separate processes until Ctrl-C."""
    migrate(None)
    if demo:
        seed(None, DEMO_SITE)
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
        urls = {name: f"http://{_settings(name).http_host}:{_settings(name).port}" for name in services.NAMES}
        if _wait_ready(urls, children, ready_timeout, lambda: stopping):
            typer.echo("\nAftercare is up:")
            for name, url in urls.items():
                typer.echo(f"  {name:<9} {url}   (docs {url}/docs, ready {url}/readyz)")
            typer.echo("Ctrl-C stops every service cleanly.")
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.2)
        for name, child in children.items():
            if child.poll() is not None and not stopping:
                typer.echo(f"{name} exited with {child.returncode}; stopping the others", err=True)
    finally:
        _terminate(children)


def _settings(name: str) -> ServiceSettings:
    return services.definition(name).settings_class()


def _wait_ready(
    urls: dict[str, str], children: dict[str, subprocess.Popen[bytes]], timeout: float, stopping: object
) -> bool:
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


@app.command()
def watch(
    pattern: Annotated[str, typer.Argument(help="Routing-key pattern, e.g. 'ticket.*' or '#' for all.")] = "#",
) -> None:
    """Print every event on `aftercare.events` as it passes, one line each (Ctrl-C to stop).

    Reads copies from a queue of its own that disappears when it stops; services are not affected.
    """

    def show(envelope: dict[str, object]) -> None:
        payload = envelope.get("payload")
        highlights = (
            {k: v for k, v in payload.items() if k in _WATCHED_FIELDS and v is not None}
            if isinstance(payload, dict)
            else {}
        )
        typer.echo(
            f"{envelope.get('occurred_at', '')!s:<33} {envelope.get('type', '?')!s:<22} "
            f"{envelope.get('correlation_id', '')!s:<22} {envelope.get('producer', '')!s:<9} "
            + " ".join(f"{k}={v}" for k, v in highlights.items())
        )

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(watch_events(_amqp_url(), pattern, show))


_WATCHED_FIELDS = ("kind", "engineer_name", "rule", "desk", "due_at", "target_minutes", "document_code", "reason")


@contracts.command("check")
def contracts_check() -> None:
    """Fail if a contract changed incompatibly, or its snapshot is missing or stale."""
    problems = snapshot_problems()
    for problem in problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1 if problems else 0)


@contracts.command("snapshot")
def contracts_snapshot() -> None:
    """Write the JSON Schema snapshots; breaking changes are refused (bump schema_version instead)."""
    refused = write_snapshots()
    for problem in refused:
        typer.echo(f"refused: {problem}", err=True)
    raise typer.Exit(1 if refused else 0)


QueueName = Annotated[str, typer.Argument(help="The service queue, e.g. dispatch.inbox.")]


def _amqp_url() -> str:
    return ServiceSettings().amqp_url


@dead_letters.command("list")
def dead_letters_list(queue: QueueName, limit: int = 100) -> None:
    """Show the dead letters of a queue (they stay there), one JSON line each."""
    for letter in asyncio.run(list_dead_letters(_amqp_url(), queue, limit=limit)):
        typer.echo(
            json.dumps(
                {
                    "message_id": letter.message_id,
                    "type": letter.message_type,
                    "correlation_id": letter.correlation_id,
                    "reason": letter.reason,
                    "detail": letter.detail,
                    "dead_at": letter.dead_at,
                    "body": letter.body.decode(errors="replace")[:500],
                },
                ensure_ascii=False,
            )
        )


@dead_letters.command("replay")
def dead_letters_replay(
    queue: QueueName,
    limit: int = 100,
    message_id: Annotated[str | None, typer.Option(help="Replay only this message.")] = None,
) -> None:
    """Send dead letters back to the queue they died on, once their cause is fixed."""
    count = asyncio.run(replay_dead_letters(_amqp_url(), queue, limit=limit, message_id=message_id))
    typer.echo(f"replayed {count} message(s) to {queue}")
