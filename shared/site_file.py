"""The site description file (TOML) an operator loads with `aftercare seed`.

One file describes a site under contract: the site, its maintenance contracts, its subsystems and who
owns each, its equipment register, and the engineers. Every service reads it through this model and
stores only its own part. Parts that one service alone understands (a contract, a device's details) are
checked in full by that service when it loads them; this model checks the structure and that the parts
refer to each other correctly.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.contracts.bounds import Code, Identifier, Name, Text
from shared.contracts.tickets import PageTo


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocationSection(_Strict):
    """Where the site is (WGS 84, as phones report it) and how far from that point an engineer's
    check-in still counts as arrived."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    arrival_radius_m: float = Field(default=200, ge=10, le=5_000)


class SiteSection(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9]{2,12}$")
    name: Name
    local_name: Name | None = None
    address: Name
    timezone: Code = "Asia/Shanghai"
    customer: Name
    location: LocationSection | None = None


class SubsystemSection(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,30}$")
    name: Name
    local_name: Name | None = None
    owner: Identifier | None = Field(default=None, description="Engineer id who owns this subsystem here.")


class EquipmentSection(BaseModel):
    """A device of the register; intake checks its other columns (model, serial number, warranty, ...)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    asset_tag: Identifier
    subsystem: Code


class ContractSection(BaseModel):
    """A maintenance contract of the site; intake checks the rest (contacts, SLA policy, ...)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: Code
    starts_on: date
    ends_on: date
    covered_subsystems: list[str]


class DutySection(_Strict):
    """A shift, an on-call period or leave, in the site's local time; `repeat` is an RFC 5545 RRULE."""

    kind: Code
    starts: datetime
    ends: datetime
    repeat: Text | None = None
    note: Text | None = None


class InspectionSection(BaseModel):
    """A planned inspection of a subsystem; dispatch checks the rest (rule, window, checklist)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: Code
    subsystem: Code


EMAIL = r"^[^@\s]+@[^@\s]+$"  # an e-mail address, as far as a form can tell

# A member's UserID as WeCom makes them (创建成员, https://developer.work.weixin.qq.com/document/path/90195):
# 1 to 64 bytes of digits, letters and _ - @ ., the first a digit or a letter. It is the `touser` of an
# application message, where `@all` is everyone in the application's range and `a|b` several people:
# neither is one person, and neither passes.
WECOM_USERID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def _one_wecom_member(value: str) -> str:
    if not WECOM_USERID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not one WeCom member's userid: 1 to 64 letters, digits and _ . @ -, beginning with a "
            "letter or a digit (never @all, nor several joined with |)"
        )
    return value


WeComUserId = Annotated[str, AfterValidator(_one_wecom_member)]
"""One person's member id (UserID) in the company's WeCom, as WeCom's rule has it."""


class RobotSection(_Strict):
    """A WeCom (企业微信) or DingTalk (钉钉) group robot: its webhook address, and DingTalk's signing
    secret if the robot was made with one."""

    kind: Literal["wecom", "dingtalk"]
    url: str = Field(pattern=r"^https?://")
    secret: str | None = None


class ReachableSection(_Strict):
    """How a person is told of what concerns them (the notify service's part of the file): their addresses, and
    their own choices, which they may change later in the console."""

    phone: str | None = None
    email: str | None = Field(default=None, pattern=EMAIL)
    robot: RobotSection | None = None
    wecom_userid: WeComUserId | None = Field(
        default=None, description="Their member id (UserID) in the company's WeCom."
    )
    language: Literal["zh", "en"] = "zh"
    quiet_hours: str | None = Field(default=None, description="Local HH:MM-HH:MM when what can wait waits.")
    notify: dict[str, list[str]] = Field(
        default_factory=dict, description="Channels (email, robot, sms, wecom) per kind of notice; others by default."
    )


class EngineerSection(ReachableSection):
    id: Identifier
    name: Name
    username: Identifier | None = Field(default=None, description="Their sign-in name; by default e01.hh138.")
    skills: list[str] = Field(default_factory=list)
    max_open_tickets: int = Field(default=5, ge=1)
    duty: list[DutySection] = Field(default_factory=list, description="Shifts, on-call periods and leave.")


class StaffSection(ReachableSection):
    """Office people with a part in the site's tickets: its service managers and quality desk, and the
    customer's representative, who is told when the site's webhook receiver is given up on."""

    username: Identifier
    name: Name
    roles: list[Literal["manager", "quality", "customer", "operator", "admin"]] = Field(min_length=1)


PAGE_STEPS = (PageTo.BACKUP_ON_CALL.value, PageTo.SERVICE_MANAGERS.value)
"""The steps of a paging chain besides an engineer named by id."""


class PagingSection(_Strict):
    """Whom to wake, in order, when the engineer given a ticket has not accepted it by the time its
    response clock warns: the first step at the warning, each next one `minutes_between_steps` later while
    nobody has accepted it. A step is `backup_on_call` (another engineer of the site on call or on shift
    then, one with the subsystem's skill first), `service_managers`, or an engineer's id."""

    steps: list[Identifier] = Field(default_factory=lambda: list(PAGE_STEPS), max_length=10)
    minutes_between_steps: float = Field(default=5, ge=0, le=240)


class SiteFile(_Strict):
    site: SiteSection
    contracts: list[ContractSection] = Field(default_factory=list)
    subsystems: list[SubsystemSection]
    equipment: list[EquipmentSection] = Field(default_factory=list)
    engineers: list[EngineerSection] = Field(default_factory=list)
    inspections: list[InspectionSection] = Field(default_factory=list)
    staff: list[StaffSection] = Field(default_factory=list)
    paging: PagingSection = Field(default_factory=PagingSection)

    @model_validator(mode="after")
    def _references_resolve(self) -> SiteFile:
        subsystems = {s.code for s in self.subsystems}
        engineers = {e.id for e in self.engineers}
        for item in self.equipment:
            if item.subsystem not in subsystems:
                raise ValueError(f"equipment {item.asset_tag}: unknown subsystem {item.subsystem!r}")
        for plan in self.inspections:
            if plan.subsystem not in subsystems:
                raise ValueError(f"inspection {plan.code}: unknown subsystem {plan.subsystem!r}")
        for contract in self.contracts:
            unknown = sorted(set(contract.covered_subsystems) - subsystems)
            if unknown:
                raise ValueError(f"contract {contract.code}: unknown subsystems {unknown}")
        for subsystem in self.subsystems:
            if subsystem.owner is not None and subsystem.owner not in engineers:
                raise ValueError(f"subsystem {subsystem.code}: owner {subsystem.owner!r} is not an engineer")
        for step in self.paging.steps:
            if step not in PAGE_STEPS and step not in engineers:
                known = ", ".join((*PAGE_STEPS, *sorted(engineers)))
                raise ValueError(f"paging: step {step!r} is not one of {known} (an engineer's id or a role)")
        return self


def engineer_username(engineer: EngineerSection, site_code: str) -> str:
    """The name an engineer signs in with: as the file gives it, or their id at the site (e01.hh138)."""
    return engineer.username or f"{engineer.id.lower()}.{site_code.lower()}"


def load_site_file(path: Path) -> SiteFile:
    with path.open("rb") as handle:
        return SiteFile.model_validate(tomllib.load(handle))


DEMO_SITE = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "huaihai-138.toml"
