"""The notify service's HTTP API: what was told on a ticket, each person's own choices (channels
per kind, quiet hours, language), and the contacts an administrator keeps."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, field_validator

from services.notify.db import repository as notices
from services.notify.domain.notices import Channel, parse_quiet_hours, preferences_from
from shared.contracts.notices import NoticeKind
from shared.http import Caller, Database, Problem, rows_response
from shared.site_file import EMAIL, WeComUserId

router = APIRouter(tags=["notifications"])

Status = Literal["pending", "sending", "sent", "failed"]


@router.get("/tickets/{ticket_id}/notifications")
async def ticket_notifications(ticket_id: str, database: Database) -> Response:
    """Everyone told about the ticket, newest first: on which channel, when, and whether it went or why not."""
    async with database.connect() as connection:
        return rows_response(await notices.listed(connection, ticket_id=ticket_id))


@router.get("/notifications")
async def recent_notifications(
    database: Database,
    status: Status | None = None,
    username: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    """Notifications newest first; `status=failed` lists what did not reach its person."""
    async with database.connect() as connection:
        return rows_response(await notices.listed(connection, status=status, username=username, limit=limit))


class Choices(BaseModel):
    """What a person decides for themselves."""

    language: Literal["zh", "en"] = "zh"
    timezone: str = Field("Asia/Shanghai", description="IANA time zone their quiet hours are in.")
    quiet_hours: str | None = Field(None, description="Local HH:MM-HH:MM, e.g. 22:00-07:30; none: never quiet.")
    channels: dict[str, list[Channel]] = Field(
        default_factory=dict,
        description="Channels (email, robot, sms, wecom) per kind of notice; a kind not named is told by "
        "default: their WeCom (an application message to them alone; else their group's robot) and e-mail where "
        "the person has them, and SMS too when it cannot wait.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; give an IANA name such as Asia/Shanghai") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        if not value:
            return None
        parse_quiet_hours(value)
        return value.strip()

    @field_validator("channels")
    @classmethod
    def _kinds(cls, value: dict[str, list[Channel]]) -> dict[str, list[Channel]]:
        preferences_from(value)
        return value


@router.get("/me/notifications")
async def my_notifications(database: Database, caller: Caller) -> dict[str, Any]:
    """The caller's contact and choices, the kinds of notice there are, and what they were told lately."""
    async with database.connect() as connection:
        found = await notices.contact(connection, caller.subject)
        if found is None:
            raise Problem(404, "no_contact", f"notify has no contact for {caller.subject}: ask an administrator")
        told = await notices.listed(connection, username=caller.subject, limit=50, with_addresses=True)
    return {
        "contact": notices.shown(found),
        "kinds": [kind.value for kind in NoticeKind],
        "channels": [channel.value for channel in Channel],
        "notifications": told,
    }


@router.put("/me/notifications")
async def choose_notifications(choices: Choices, database: Database, caller: Caller) -> dict[str, Any]:
    """Set the caller's own choices (those the request names; the others stay); their addresses are an
    administrator's to change."""
    async with database.connect() as connection:
        if not await notices.set_choices(
            connection, caller.subject, choices.model_dump(mode="json", exclude_unset=True)
        ):
            raise Problem(404, "no_contact", f"notify has no contact for {caller.subject}: ask an administrator")
        await connection.commit()
        return notices.shown(await notices.contact(connection, caller.subject))


class Robot(BaseModel):
    kind: Literal["wecom", "dingtalk"]
    url: str = Field(pattern=r"^https?://")
    secret: str | None = None


class Contact(Choices):
    """A person notify tells: their addresses and roles, and their choices."""

    name: str = Field(min_length=1, max_length=200)
    roles: list[Literal["manager", "quality", "engineer", "customer", "operator", "admin"]] = Field(min_length=1)
    engineer_id: str | None = None
    site_codes: list[str] = Field(default_factory=list, description="The sites they serve; none: every site.")
    email: str | None = Field(None, pattern=EMAIL)
    phone: str | None = None
    robot: Robot | None = None
    wecom_userid: WeComUserId | None = Field(
        None, description="Their member id (UserID) in the company's WeCom: one person's (not @all, no |)."
    )


@router.get("/contacts")
async def list_contacts(database: Database) -> list[dict[str, Any]]:
    async with database.connect() as connection:
        return await notices.all_contacts(connection)


@router.put("/contacts/{username}")
async def put_contact(username: str, contact: Contact, database: Database) -> dict[str, Any]:
    """Add a person notify tells, or change what the request names of them (an administrator's): the
    person's own choices and a robot's secret stay unless given."""
    row = contact.model_dump(mode="json", exclude={"robot"}, exclude_unset=True) | {"username": username}
    if "robot" in contact.model_fields_set:
        robot = contact.robot
        row |= {"robot_kind": robot.kind if robot else None, "robot_url": robot.url if robot else None}
        if robot is None or "secret" in robot.model_fields_set:
            row["robot_secret"] = robot.secret if robot else None
    async with database.connect() as connection:
        await notices.put_contact(connection, row)
        await connection.commit()
        return notices.shown(await notices.contact(connection, username))
