"""A service request as intake accepts it, and the rules that turn it into a ticket."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.intake.domain.classification import normalise
from services.intake.domain.contract import MaintenanceContract
from services.intake.domain.register import Device
from shared.contracts import ABOUT_THE_SERVICE, SERVICE_AS_A_WHOLE, Reporter, ServiceKind, SubmitServiceRequest
from shared.moments import in_the_future
from shared.refusals import Refused
from shared.words import word


class RequestRefused(Refused):
    """The request cannot become a ticket."""


@dataclass(frozen=True)
class SiteScope:
    """What the site's contract covers: its subsystems and its equipment register."""

    code: str
    name: str
    timezone: str
    subsystems: frozenset[str]
    devices: dict[str, Device]  # the equipment register, by asset tag
    contracts: tuple[MaintenanceContract, ...] = ()


def subsystem_of(asked: str | None, kind: ServiceKind) -> str:
    """The subsystem a request is about: as asked, or the service as a whole for a complaint or a
    question that names none; a fault, a repair or support names the system it is in."""
    subsystem = asked or SERVICE_AS_A_WHOLE
    if subsystem == SERVICE_AS_A_WHOLE and kind not in ABOUT_THE_SERVICE:
        raise RequestRefused(
            "subsystem_required",
            f"a {kind.value} is about one of the site's systems: name its subsystem (only a complaint or a "
            "question may be about the service as a whole)",
        )
    return subsystem


def service_as_a_whole() -> dict[str, str]:
    """The subsystem every site has for the service itself, named as a site's own are."""
    return {
        "code": SERVICE_AS_A_WHOLE,
        "name": word("subsystem", SERVICE_AS_A_WHOLE, "en"),
        "local_name": word("subsystem", SERVICE_AS_A_WHOLE, "zh"),
    }


def check_scope(scope: SiteScope, subsystem: str, asset_tag: str | None) -> Device | None:
    """The device the request names, if any; refused when the site's contract does not cover it."""
    if subsystem == SERVICE_AS_A_WHOLE:
        if asset_tag is not None:
            raise RequestRefused(
                "device_subsystem_mismatch", "a request about the service as a whole names no device: leave it out"
            )
        return None
    if subsystem not in scope.subsystems:
        known = ", ".join(sorted(scope.subsystems))
        raise RequestRefused("unknown_subsystem", f"site {scope.code} has no subsystem {subsystem!r}; it has: {known}")
    if asset_tag is None:
        return None
    registered = scope.devices.get(asset_tag)
    if registered is None:
        raise RequestRefused(
            "unknown_device",
            f"device {asset_tag!r} is not in the equipment register of site {scope.code}; "
            "leave the device out if it is not known",
        )
    if registered.subsystem != subsystem:
        raise RequestRefused(
            "device_subsystem_mismatch",
            f"device {asset_tag!r} belongs to subsystem {registered.subsystem!r}, not {subsystem!r}",
        )
    return registered


def check_reported_at(reported_at: datetime, now: datetime, max_age: timedelta) -> None:
    """Neither ahead of our clock nor further back than `max_age`: the clocks start when it was reported,
    and a year-one date would breach every clock at once."""
    if in_the_future(reported_at, now):
        raise RequestRefused(
            "reported_in_future", f"reported_at {reported_at.isoformat()} is in the future (now {now.isoformat()})"
        )
    if reported_at < now - max_age:
        raise RequestRefused(
            "reported_too_long_ago",
            f"reported_at {reported_at.isoformat()} is more than {max_age.days} days ago; send the time the "
            "customer called, or leave it out for now (INTAKE_MAX_REPORT_AGE_DAYS sets the limit)",
        )


def content_digest(request: SubmitServiceRequest) -> str:
    """The same for a request sent again as it was (the moment in any offset, fields left at their
    defaults given or not, fields added to the contract later); different if anything it says differs."""
    said = request.model_dump(mode="json", exclude={"request_id"}, exclude_defaults=True)
    if request.reported_at is not None:
        said["reported_at"] = request.reported_at.astimezone(UTC).isoformat()
    return hashlib.sha256(json.dumps(said, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def check_same_request(request: SubmitServiceRequest, earlier_digest: str | None) -> None:
    """A request id names one request: sent again with other content, it is a mistake to say so."""
    if earlier_digest is not None and earlier_digest != content_digest(request):
        raise RequestRefused(
            "request_id_reused",
            f"request_id {request.request_id!r} was sent before with other content (site, subsystem, device, "
            "priority, description or reporter); send the same request again, or a new request_id",
        )


def fingerprint(site: str, subsystem: str, asset_tag: str | None, reporter: Reporter, description: str) -> str:
    """Identical for the same problem reported again by the same person."""
    who = (reporter.phone or reporter.email or reporter.name).casefold().replace(" ", "")
    parts = (site, subsystem, asset_tag or "", who, normalise(description))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def ticket_id(site: str, day: date, sequence: int) -> str:
    """Readable on the phone: site, the site's local date, sequence of that day. E.g. HH138-20261125-0007."""
    return f"{site}-{day:%Y%m%d}-{sequence:04d}"
