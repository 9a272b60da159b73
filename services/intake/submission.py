"""Turning a submitted request into a ticket: the use case behind both the HTTP API and the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.intake.db import repository
from services.intake.domain.classification import classify
from services.intake.domain.contract import contract_on, decide_coverage
from services.intake.domain.register import Device
from services.intake.domain.requests import (
    RequestRefused,
    SiteScope,
    check_reported_at,
    check_same_request,
    check_scope,
    content_digest,
    fingerprint,
    local_day,
    subsystem_of,
    ticket_id,
)
from shared.contracts import (
    Coverage,
    Envelope,
    Priority,
    RequestChannel,
    ServiceKind,
    SubmitServiceRequest,
    TicketOpened,
    TicketRejected,
)
from shared.messaging.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Submitted:
    ticket_id: str
    kind: ServiceKind
    priority: Priority
    created: bool
    joined_because: str | None = None  # "request_id" or "repeat" when no new ticket was opened


async def submit(
    uow: UnitOfWork,
    request: SubmitServiceRequest,
    *,
    now: datetime,
    duplicate_window: timedelta,
    max_report_age: timedelta,
) -> Submitted:
    connection = uow.connection
    if request.request_id is not None:
        await repository.serialise_on(connection, f"request:{request.request_id}")
        earlier = await repository.by_request_id(connection, request.request_id)
        if earlier is not None:
            check_same_request(request, earlier["content_sha256"])
            return _joined(earlier, "request_id")

    scope = await repository.site_scope(connection, request.site_code, request.asset_tag)
    if scope is None:
        known = ", ".join(await repository.site_codes(connection)) or "none loaded"
        raise RequestRefused(
            "unknown_site", f"site {request.site_code!r} is not under a maintenance contract; known sites: {known}"
        )
    kind = classify(request.description, request.kind)
    subsystem = subsystem_of(request.subsystem, kind)
    device = check_scope(scope, subsystem, request.asset_tag)
    reported_at = request.reported_at or now
    check_reported_at(reported_at, now, max_report_age)

    key = fingerprint(scope.code, subsystem, request.asset_tag, request.reporter, request.description)
    await repository.serialise_on(connection, f"problem:{key}")
    if duplicate_window > timedelta(0):
        repeat = await repository.recent_repeat(connection, key, since=now - duplicate_window)
        if repeat is not None:
            await repository.count_repeat(connection, repeat["ticket_id"], now)
            return _joined(repeat, "repeat")

    coverage = covering(scope, subsystem, device, local_day(reported_at, scope.timezone))
    day = local_day(now, scope.timezone)
    ticket = ticket_id(scope.code, day, await repository.next_sequence(connection, scope.code, day))
    await repository.add_request(
        connection,
        ticket_id=ticket,
        request_id=request.request_id,
        content_sha256=content_digest(request) if request.request_id is not None else None,
        fingerprint=key,
        site_code=scope.code,
        subsystem=subsystem,
        asset_tag=request.asset_tag,
        kind=kind.value,
        priority=request.priority.value,
        channel=request.channel.value,
        description=request.description,
        reporter=request.reporter.model_dump(mode="json"),
        reported_at=reported_at,
        received_at=now,
        coverage=coverage.model_dump(mode="json"),
    )
    uow.publish(
        TicketOpened(
            ticket_id=ticket,
            site_code=scope.code,
            site_name=scope.name,
            site_timezone=scope.timezone,
            subsystem=subsystem,
            device=device.reference() if device else None,
            kind=kind,
            priority=request.priority,
            channel=request.channel,
            description=request.description,
            reporter=request.reporter,
            reported_at=reported_at,
            received_at=now,
            coverage=coverage,
            found_at=request.found_at if request.channel is RequestChannel.INSPECTION else None,
        ),
        correlation_id=ticket,
    )
    return Submitted(ticket, kind, request.priority, created=True)


async def reject(uow: UnitOfWork, message: Envelope[SubmitServiceRequest], refused: RequestRefused) -> None:
    """Keep a queued request that cannot become a ticket, and tell the submitter why."""
    request = message.payload
    await repository.add_rejection(
        uow.connection,
        message_id=message.message_id,
        request_id=request.request_id,
        reason=refused.reason,
        detail=refused.message,
        submission=request.model_dump(mode="json"),
    )
    uow.publish(TicketRejected(request_id=request.request_id, reason=refused.reason, detail=refused.message))


def covering(scope: SiteScope, subsystem: str, device: Device | None, day: date) -> Coverage:
    """What covers a ticket reported on `day` (the site's local date)."""
    return decide_coverage(scope.code, contract_on(scope.contracts, day), subsystem, device, day)


def _joined(existing: dict[str, Any], because: str) -> Submitted:
    return Submitted(
        ticket_id=str(existing["ticket_id"]),
        kind=ServiceKind(existing["kind"]),
        priority=Priority(existing["priority"]),
        created=False,
        joined_because=because,
    )


__all__ = ["RequestRefused", "Submitted", "reject", "submit"]
