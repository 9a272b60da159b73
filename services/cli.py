"""`aftercare`: run, provision, migrate and seed the services, bring the suite up, inspect dead letters,
write the configuration reference."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

import httpx
import typer

import services
from services import identity_commands, operations
from services.archive import commands as archive_commands
from services.broker_users import own_amqp_urls, service_amqp_variable, users_connected
from services.console import commands as console_commands
from services.launcher import run_suite
from services.sla import commands as sla_commands
from services.vendor import commands as vendor_commands
from shared.logs import configure_logging, get_logger
from shared.persistence import migrations
from shared.persistence.database import ensure_database
from shared.provisioning import (
    ProvisioningError,
    ProvisioningSettings,
    ServiceAccess,
    provision_broker,
    provision_database,
)
from shared.service import declare_topology, seed_site
from shared.settings import ServiceSettings
from shared.settings_reference import render, unread_variables
from shared.site_file import DEMO_SITE

log = get_logger(__name__)

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)

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
    for variable in unread_variables(os.environ, settings_classes(), [ProvisioningSettings]):
        log.warning("environment variable ignored: no setting has this name (misspelt?)", variable=variable)
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


@app.command("wait-for-schema")
def wait_for_schema(
    name: Annotated[str, typer.Argument(help="The service whose schema to wait for.")],
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds (exit 1).")] = 600,
) -> None:
    """Wait until the service's schema stands at this release's head revision, migrated by the
    deployment's migration step: a Kubernetes init container runs it before the service starts."""
    definition = services.definition(name)
    url = definition.settings_class().database_url
    schema = definition.metadata.schema or name
    deadline = time.monotonic() + timeout
    while not asyncio.run(migrations.at_head(definition.migrations_dir, url, schema)):
        if time.monotonic() > deadline:
            typer.echo(f"{name}: schema {schema} not at this release's head after {timeout:g} s", err=True)
            raise typer.Exit(1)
        time.sleep(2)
    typer.echo(f"{name}: schema {schema} at head")


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
            for name in _chosen(names):  # as each service, so that no event waits for its first start
                asyncio.run(declare_topology(services.definition(name), _settings(name)))
                done.append(f"{name}: queues declared")
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
    broker_users: Annotated[
        bool,
        typer.Option(
            help="Run each service as a RabbitMQ user of its own, made for the run through the management API "
            "(AFTERCARE_PROVISION_BROKER_URL); without, as the user of AFTERCARE_AMQP_URL."
        ),
    ] = True,
) -> None:
    """Migrate, seed the demo site and run every service as a separate process until Ctrl-C. Unless
    the environment names a key (AFTERCARE_AUTH_PUBLIC_KEY or AFTERCARE_AUTH_JWKS_URL), the suite trusts
    the local key pair in .aftercare/keys (made on first use) and a token is printed per demo person.
    Each service connects to RabbitMQ as a user of its own with only its own rights, as deployed."""
    if not (os.environ.get("AFTERCARE_AUTH_PUBLIC_KEY") or os.environ.get("AFTERCARE_AUTH_JWKS_URL")):
        os.environ["AFTERCARE_AUTH_PUBLIC_KEY"] = identity_commands.ensure_keys()
        os.environ["CONSOLE_SIGNING_KEY"] = (identity_commands.LOCAL_KEYS / "private.pem").read_text()
        typer.echo("Bearer tokens of the demo people (valid 12 hours; `aftercare token` makes more):")
        for person, signed in identity_commands.demo_tokens().items():
            roles = ",".join(sorted(person.roles))
            typer.echo(f"  {person.subject:<9} {roles:<9} {signed}")
    os.environ.setdefault("AFTERCARE_API_DOCS", "true")  # a developer's machine: each service's /docs
    if broker_users:
        _as_own_broker_users()
    migrate(None)
    for name in services.NAMES:  # before the seed's events are published
        asyncio.run(declare_topology(services.definition(name), _settings(name)))
    if demo:
        seed(None, DEMO_SITE)
    urls = {name: f"http://{_settings(name).http_host}:{_settings(name).port}" for name in services.NAMES}
    run_suite(urls, ready_timeout)


def _as_own_broker_users() -> None:
    """Give each service not named in the environment a broker user of its own, for this run."""
    own = own_amqp_urls(ServiceSettings().amqp_url)
    if not own:
        return
    os.environ.update({service_amqp_variable(name): url for name, url in own.items()})
    admin = ProvisioningSettings().broker_url
    try:
        in_use = users_connected(admin, [unquote(urlsplit(url).username or "") for url in own.values()])
        if in_use:
            typer.echo(
                f"another suite runs as the RabbitMQ users {', '.join(in_use)} in this virtual host: new passwords "
                "would lock it out at its next reconnection. Stop it, or give this one a virtual host of its own "
                "(AFTERCARE_AMQP_URL)",
                err=True,
            )
            raise typer.Exit(1)
        provision_broker(admin, [ServiceAccess.of(services.definition(name), _settings(name)) for name in own])
    except (ProvisioningError, httpx.HTTPError) as failure:
        api = httpx.URL(admin).copy_with(username=None, password=None)
        typer.echo(
            f"the services' RabbitMQ users could not be made through the management API at {api}: {failure}\n"
            "turn the API on (scripts/local-services --management does), name the administrator in "
            "AFTERCARE_PROVISION_BROKER_URL, or run `aftercare up --no-broker-users`",
            err=True,
        )
        raise typer.Exit(1) from failure
    users = ", ".join(unquote(urlsplit(url).username or "") for url in own.values())
    typer.echo(f"each service connects to RabbitMQ as a user of its own: {users}")


def _settings(name: str) -> ServiceSettings:
    return services.definition(name).settings_class()


app.command()(operations.watch)
app.command()(identity_commands.keys)
app.command()(identity_commands.token)
app.add_typer(operations.contracts, name="contracts")
app.add_typer(operations.dead_letters, name="dead-letters")
app.add_typer(vendor_commands.partners, name="partners")
app.add_typer(archive_commands.archive, name="archive")
app.add_typer(sla_commands.sla, name="sla")
app.add_typer(console_commands.users, name="users")
