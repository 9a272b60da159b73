"""Drawing up and signing a site's registers. A register is drawn up from the archive's own timeline;
drawing it up again files a new version that supersedes the last. Each party signs one version; the
second signature seals it (domain/signing.py), and a locked register is never drawn up again."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import registers, repository, timeline
from services.archive.domain.acceptance import Handover, acceptance_register, acceptance_source
from services.archive.domain.documents import Category, Draft
from services.archive.domain.drafting import local
from services.archive.domain.periods import Period, RegisterKind
from services.archive.domain.registers import Baseline, operation_register
from services.archive.domain.signing import (
    RegisterRefused,
    Signature,
    check_signature,
    completes,
    refuse_if_locked,
    sealed,
)
from services.archive.domain.story import Site, Story, as_event
from services.archive.filing import file_document, file_version
from services.archive.rendering import Renderer
from shared.contracts import EquipmentChanged, SiteDescribed, TicketOpened, TicketReclassified
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.locks import lock_for_transaction


class UnknownRegister(LookupError):
    pass


HISTORY = (TicketOpened.message_type, TicketReclassified.message_type)
"""What a register needs of a ticket from before its period: how it opened and what kind it became."""


async def draw_up(
    uow: UnitOfWork,
    renderer: Renderer,
    site_code: str,
    period: Period,
    *,
    default_timezone: str,
    now: datetime,
    handover: Handover | None = None,
    at_close: bool = False,
) -> dict[str, Any] | None:
    """Draw up the site's register of `period` (an acceptance register needs the `handover`): the
    first version, or a new one superseding the last. `at_close` (the calendar, once the period has
    ended): None if the register was drawn up after the period ended already, or is locked."""
    connection = uow.connection
    described = await site_described(connection, site_code)
    if described is None:
        raise RegisterRefused("unknown_site", f"intake has not described site {site_code!r} to the archive")
    key = _key(site_code, period, described)
    await lock_for_transaction(connection, f"archive-register:{site_code}:{period.kind.value}:{key}")
    row = await registers.of_key(connection, site_code, period.kind.value, key)
    site = Site.known(site_code, Story(()), described, default_timezone)
    if row is not None:
        if at_close and (row["locked_version"] is not None or row["drawn_up_at"] >= period.ends(site.timezone)):
            return None
        refuse_if_locked(await registers.state(connection, row))
    draft = await _draft(connection, site, described, period, handover, now)
    if row is None:
        code = await file_document(uow, draft, renderer, now=now)
        assert code is not None, f"{draft.source} of {site_code} is filed but has no register row"
        await registers.add(connection, code, site_code, key, period, at=now)
    else:
        code, version = row["code"], row["latest_version"] + 1
        await file_version(uow, draft, renderer, code=code, version=version, supersedes=version - 1, now=now)
        await registers.new_version(connection, code, version, period, at=now)
    return await registers.by_code(connection, code)


async def sign(
    uow: UnitOfWork,
    renderer: Renderer,
    code: str,
    version: int,
    signature: Signature,
    *,
    default_timezone: str,
    now: datetime,
) -> dict[str, Any]:
    """Record one party's signature of a version; the second party's seals and locks the register."""
    connection = uow.connection
    row = await registers.by_code(connection, code)
    if row is None:
        raise UnknownRegister(code)
    await lock_for_transaction(connection, f"archive-register:{row['site_code']}:{row['kind']}:{row['period']}")
    row = await registers.by_code(connection, code)
    assert row is not None
    state = await registers.state(connection, row)
    check_signature(state, version, signature.party)
    described = await site_described(connection, row["site_code"])
    site = Site.known(row["site_code"], Story(()), described, default_timezone)
    if row["kind"] != RegisterKind.ACCEPTANCE.value:
        ends = Period(RegisterKind(row["kind"]), row["first_day"], row["last_day"]).ends(site.timezone)
        if now < ends:
            raise RegisterRefused(
                "period_open",
                f"register {code} covers {row['period']}, which ends {local(ends, site)[:16]}; it is signed "
                "once the period has ended and it has been drawn up again",
            )
    if signature.signed_at < row["drawn_up_at"]:
        raise RegisterRefused("signed_before_drawn_up", f"version {version} was drawn up at {row['drawn_up_at']}")
    same = next((s for s in state.signatures if s.signed_by and s.signed_by == signature.signed_by), None)
    if same is not None:
        raise RegisterRefused(
            "same_signer", f"{signature.signed_by} signed for the {same.party.value} already; the other party signs"
        )
    await registers.sign(connection, code, version, signature)
    if completes(state, signature.party):
        signed = await repository.latest(connection, code)
        assert signed is not None
        both = (*state.signatures, signature)
        content = sealed(
            json.loads(signed["content"]),
            version=version,
            pdf_sha256=signed["pdf_sha256"],
            signatures=[s.as_content(local(s.signed_at, site)) for s in both],
        )
        seal = Draft(
            category=Category.REGISTER,
            title=signed["title"],
            site_code=site.code,
            site_name=site.name,
            timezone=site.timezone,
            year=signed["year"],
            ticket_id=None,
            source=signed["source"],
            form=content["form"],
            content=content,
            images={f"signature_{s.party.value}": base64.b64decode(s.signature_png) for s in both if s.signature_png},
        )
        await file_version(uow, seal, renderer, code=code, version=version + 1, supersedes=version, now=now)
        await registers.lock(connection, code, version + 1, at=now)
    found = await registers.by_code(connection, code)
    assert found is not None
    return found


async def _draft(
    connection: AsyncConnection,
    site: Site,
    described: SiteDescribed | None,
    period: Period,
    handover: Handover | None,
    now: datetime,
) -> Draft:
    # The acceptance lists the equipment as the register stands when it is recorded, since a register
    # is often imported into the product after the handover it records.
    end = now if period.kind is RegisterKind.ACCEPTANCE else period.ends(site.timezone)
    equipment = [
        event
        for event in _events(
            await timeline.of_site_type(connection, site.code, EquipmentChanged.message_type, before=end)
        )
        if isinstance(event, EquipmentChanged)
    ]
    if period.kind is RegisterKind.ACCEPTANCE:
        if handover is None:
            raise RegisterRefused("handover_missing", "an acceptance register records the handover's checks")
        return acceptance_register(site, described, handover, equipment)
    events = Story(
        tuple(_events(await timeline.of_site_between(connection, site.code, period.starts(site.timezone), end)))
    )
    concerned = {ticket for event in events.events if (ticket := getattr(event, "ticket_id", None))}
    history = _events(await timeline.of_tickets(connection, concerned, HISTORY, before=end))
    openings = {opened.ticket_id: opened for opened in history if isinstance(opened, TicketOpened)}
    kinds = [change for change in history if isinstance(change, TicketReclassified)]
    baseline = await _baseline(connection, site)
    return operation_register(site, described, period, equipment, events, openings, baseline, reclassified=kinds)


async def _baseline(connection: AsyncConnection, site: Site) -> Baseline | None:
    row = await registers.latest_acceptance(connection, site.code)
    if row is None:
        return None
    document = await repository.latest(connection, row["code"])
    assert document is not None
    content = json.loads(document["content"])
    return Baseline(
        row["code"], row["latest_version"], row["locked_version"] is not None, content["equipment"]["models"]
    )


async def site_described(connection: AsyncConnection, site_code: str) -> SiteDescribed | None:
    kept = await timeline.latest_of_site(connection, site_code, SiteDescribed.message_type)
    described = as_event(*kept) if kept else None
    return described if isinstance(described, SiteDescribed) else None


def _key(site_code: str, period: Period, described: SiteDescribed | None) -> str:
    if period.kind is RegisterKind.ACCEPTANCE:
        return acceptance_source(site_code, described).rsplit(":", 1)[1]
    return period.label


def _events(rows: list[tuple[str, int, dict[str, Any]]]) -> list[Any]:
    return [event for event in (as_event(*row) for row in rows) if event is not None]
