"""`aftercare partners`: onboard vendor partners, rotate their passwords, disable them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from services.vendor import onboarding
from services.vendor.partner_contract import render
from services.vendor.partner_topology import REPLIES_EXCHANGE, broker_user, errors_queue, requests_queue
from services.vendor.settings import VendorSettings
from shared.contracts import Agreement, Contact
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from shared.provisioning import ProvisioningSettings
from shared.refusals import Refused

partners = typer.Typer(help="Vendor partners: their broker users, queues and agreements.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[ServiceDatabase, VendorSettings], Awaitable[T]]) -> T:
    from services.vendor.app import service

    settings = VendorSettings()

    async def main() -> T:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            return await work(ServiceDatabase(engine, service.metadata, producer="vendor"), settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except Refused as refused:
        typer.echo(f"refused: {refused.message}", err=True)
        raise typer.Exit(1) from refused


@partners.command("add")
def add(
    code: Annotated[str, typer.Argument(help="The partner's code, e.g. bosch-cn (lower case).")],
    name: Annotated[str, typer.Option(help="The partner's name.")],
    contact: Annotated[str, typer.Option(help="The partner's contact: name.")] = "Service desk",
    phone: Annotated[str | None, typer.Option(help="The contact's phone.")] = None,
    email: Annotated[str | None, typer.Option(help="The contact's e-mail.")] = None,
    acknowledge_hours: Annotated[float, typer.Option(help="Acknowledge within this many hours.")] = 4,
    on_site_hours: Annotated[float, typer.Option(help="Their engineer on site within this many hours.")] = 24,
    repair_working_days: Annotated[int, typer.Option(help="Repair turnaround in working days.")] = 10,
    replacement_days: Annotated[int, typer.Option(help="Replacement shipped within this many days.")] = 5,
) -> None:
    """Onboard a partner: its broker user (the password is shown once), queues, permissions and agreement."""
    agreement = Agreement(
        acknowledge_hours=acknowledge_hours,
        on_site_hours=on_site_hours,
        repair_working_days=repair_working_days,
        replacement_days=replacement_days,
    )
    admin = ProvisioningSettings().broker_url
    password = _run(
        lambda database, settings: onboarding.add_partner(
            database,
            admin_api_url=admin,
            amqp_url=settings.amqp_url,
            code=code,
            name=name,
            contacts=[Contact(name=contact, phone=phone, email=email)],
            agreement=agreement,
        )
    )
    typer.echo(f"partner {code} onboarded")
    typer.echo(f"  broker user:  {broker_user(code)}")
    typer.echo(f"  password:     {password}   (shown once: hand it over now)")
    typer.echo(f"  consume:      {requests_queue(code)}; refused replies explained on {errors_queue(code)}")
    typer.echo(f"  reply to:     exchange {REPLIES_EXCHANGE}, routing key {code}.<step>, user_id {broker_user(code)}")


@partners.command("rotate")
def rotate(code: Annotated[str, typer.Argument(help="The partner's code.")]) -> None:
    """Give the partner's broker user a new password (shown once)."""
    admin = ProvisioningSettings().broker_url
    password = _run(lambda database, _: onboarding.rotate_password(database, admin_api_url=admin, code=code))
    typer.echo(f"new password of {broker_user(code)}: {password}   (shown once)")


@partners.command("disable")
def disable(code: Annotated[str, typer.Argument(help="The partner's code.")]) -> None:
    """Take the partner's access away; messages already in its queue wait there."""
    admin = ProvisioningSettings().broker_url
    _run(
        lambda database, settings: onboarding.disable(
            database, admin_api_url=admin, amqp_url=settings.amqp_url, code=code
        )
    )
    typer.echo(f"partner {code} disabled")


@partners.command("contract")
def contract(
    output: Annotated[Path | None, typer.Option(help="Write it to this file instead of printing it.")] = None,
) -> None:
    """Print (or write) the partner interface as an AsyncAPI 3.0 document, from the contracts."""
    document = render()
    if output is None:
        typer.echo(document, nl=False)
    else:
        output.write_text(document)
        typer.echo(f"wrote {output}")
