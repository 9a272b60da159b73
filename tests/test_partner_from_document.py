"""A vendor partner written from docs/partners/asyncapi.yaml alone, against the suite over the real broker and
database. The partner side knows nothing of Aftercare's code: the server, the exchange, its queues, each
reply's routing key and AMQP properties, the message schemas and the examples all come from the document,
and the integrator gives it a host, a code and a password, as the document says. Every message it receives
(the escalation request, the cancellation, the refusals on its error queue) must pass the document's JSON
schema for its type; every reply it sends is the document's example with only what the document says to
fill in (from the request, or as it is sent), and passes its schema too.

With that partner a repair goes from request to fixed as the document promises: the acknowledgement
acknowledges the case, the repair report ends it fixed, and its parts reach the suite as the list they
are. A repair report under the acknowledgement's routing key, and an acknowledgement of a case Aftercare
cancelled, are refused and explained on the error queue in the document's shape, naming the refused reply."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import aio_pika
import jsonschema
import yaml
from aio_pika.abc import AbstractChannel

from shared.identity import Role
from testkit.broker import EventTap
from testkit.escalations import accepted_fault, escalate, vendor_knows
from testkit.identities import bearer
from testkit.in_process import running
from testkit.machine import REPOSITORY
from testkit.partners import Partner, onboarded
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

DOCUMENT: dict[str, Any] = yaml.safe_load((REPOSITORY / "docs" / "partners" / "asyncapi.yaml").read_text())
MANAGER = bearer("liu.yang", Role.MANAGER)

# The formats the document's schemas use, checked as a partner would with the standard library alone.
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def _message(name: str) -> dict[str, Any]:
    found: dict[str, Any] = DOCUMENT["components"]["messages"][name]
    return found


def _valid(name: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope, once it passes the JSON schema of the document's message `name` (its `$ref`s resolved
    within the document); a jsonschema.ValidationError saying what breaks it otherwise."""
    schema = {**_message(name)["payload"], "components": DOCUMENT["components"]}
    jsonschema.Draft7Validator(schema, format_checker=FORMATS).validate(envelope)
    return envelope


def _at(document: dict[str, Any], pointer: str) -> Any:
    for key in pointer.removeprefix("/").split("/"):
        document = document[key]
    return document


def _put(document: dict[str, Any], pointer: str, value: Any) -> None:
    *path, last = pointer.removeprefix("/").split("/")
    for key in path:
        document = document[key]
    document[last] = value


class DocumentPartner:
    """A partner's client as its developer would write it with the document in hand."""

    def __init__(self, given: Partner) -> None:
        # What the integrator gives the partner: a code, a host and a password (the user name is the
        # document's), and, in these tests, a virtual host of each test world's own in place of /aftercare.
        given_url = urlsplit(given.amqp_url)
        self.code = given.code
        self.user = self._filled(DOCUMENT["operations"]["sendReplies"]["bindings"]["amqp"]["userId"])
        server = DOCUMENT["servers"]["aftercare-without-tls"]  # the test broker offers no TLS
        assert server["pathname"] == "/aftercare"
        address = server["host"].replace("{host}", given_url.hostname or "")
        password = quote(unquote(given_url.password or ""), safe="")
        self.url = f"{server['protocol']}://{quote(self.user, safe='')}:{password}@{address}{given_url.path}"
        self.channel: AbstractChannel | None = None

    def _filled(self, template: str) -> str:
        return template.replace("{code}", self.code)

    @asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        connection = await aio_pika.connect(self.url)
        async with connection:
            self.channel = await connection.channel(publisher_confirms=True)
            yield

    async def take(self, channel_name: str, count: int) -> list[dict[str, Any]]:
        """The next `count` messages on the queue of the document's channel, each validated against the
        schema of the channel's message of its type, then acknowledged."""
        assert self.channel is not None
        channel = DOCUMENT["channels"][channel_name]
        queue = await self.channel.get_queue(self._filled(channel["bindings"]["amqp"]["queue"]["name"]), ensure=False)
        by_type = {
            _message(name)["payload"]["properties"]["type"]["const"]: name
            for name in (ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values())
        }
        taken: list[dict[str, Any]] = []

        async def arrived() -> bool:
            while len(taken) < count and (message := await queue.get(fail=False)) is not None:
                async with message.process():
                    envelope = json.loads(message.body)
                    assert envelope.get("type") in by_type, (
                        f"{envelope.get('type')!r} is not a message of {channel_name}"
                    )
                    taken.append(_valid(by_type[envelope["type"]], envelope))
            return len(taken) == count

        await eventually(arrived, what=f"{count} message(s) on {channel_name}")
        return taken

    async def reply(self, name: str, request: dict[str, Any], *, under: str | None = None) -> dict[str, Any]:
        """The document's example of the reply `name`, filled in from `request` and as it is sent, published
        as the document says; under the routing key of the reply `under` instead, to break the rule."""
        assert self.channel is not None
        message = _message(name)
        [example] = message["examples"]
        envelope = copy.deepcopy(example["payload"])
        for field, of_request in message["x-from-request"].items():
            _put(envelope, field, _at(request, of_request))
        on_sending = {"/message_id": str(uuid.uuid4()), "/occurred_at": datetime.now(UTC).isoformat()}
        assert set(message["x-on-sending"]) == set(on_sending), "the document asks for something this partner lacks"
        for field, value in on_sending.items():
            _put(envelope, field, value)
        _valid(name, envelope)
        properties: dict[str, Any] = {
            key: _at(envelope, value.removeprefix("$message.payload#"))
            if isinstance(value, str) and value.startswith("$message.payload#")
            else self._filled(value)
            if isinstance(value, str)
            else value
            for key, value in DOCUMENT["operations"]["sendReplies"]["x-amqp-properties"].items()
        }
        exchange = await self.channel.get_exchange(
            DOCUMENT["channels"]["replies"]["bindings"]["amqp"]["exchange"]["name"], ensure=False
        )
        routing_key = self._filled(_message(under or name)["x-routing-key"])
        await exchange.publish(aio_pika.Message(json.dumps(envelope).encode(), **properties), routing_key=routing_key)
        return envelope


def _documented(refusal: dict[str, Any], reason: str, refused: dict[str, Any]) -> None:
    """A refusal as the document describes it: the reason one it explains, the refused reply named by its
    message_id, the conversation by the refused reply's correlation_id."""
    assert refusal["payload"]["reason"] == reason
    assert f"`{reason}`" in DOCUMENT["info"]["description"]
    assert refusal["payload"]["refused_message_id"] == refused["message_id"]
    assert refusal["correlation_id"] == refused["correlation_id"]
    assert refusal["payload"]["detail"]


async def _status(vendor: Any, case: str) -> str:
    return str((await vendor.get(f"/cases/{case}")).json()["status"])


async def test_a_partner_from_the_document_takes_a_repair_from_request_to_fixed(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded)
    async with onboarded(seeded) as given, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        partner = DocumentPartner(given)
        async with partner.connected():
            ticket = await accepted_fault(intake, dispatch, tap, site)
            assert (await escalate(dispatch, ticket, partner.code, findings="Reboots under load")).status_code == 200
            [request] = await partner.take("escalationRequests", 1)
            case = request["payload"]["case_number"]
            assert (request["type"], request["payload"]["ticket_id"], request["correlation_id"]) == (
                "vendor.escalation_request",
                ticket,
                case,  # the document: a request's correlation_id is its case number
            )

            await partner.reply("Acknowledged", request)

            async def acknowledged() -> bool:
                return await _status(vendor, case) == "acknowledged"

            await eventually(acknowledged, what="the case acknowledged, as the document promises")

            mislabelled = await partner.reply("Repaired", request, under="Acknowledged")
            [refusal] = await partner.take("refusedReplies", 1)
            _documented(refusal, "type_and_key_differ", mislabelled)
            assert await _status(vendor, case) == "acknowledged"  # the refused report ended nothing

            repaired = await partner.reply("Repaired", request)
            [closed] = await tap.wait_for("vendor.escalation.closed", ticket)
            assert closed["payload"]["outcome"] == "fixed"  # the document: `repaired` ends the case, fixed
            assert await _status(vendor, case) == "fixed"

            # The parts the report listed reach the suite, and the case's history, as the list they are.
            parts = repaired["payload"]["parts"]
            assert len(parts) > 1, "the document's example lists several parts"
            steps = {
                e["payload"]["step"]: e["payload"]
                for e in await tap.wait_for("vendor.escalation.progressed", ticket, count=2)
            }
            assert set(steps) == {"acknowledged", "repaired"}
            assert (steps["repaired"]["parts"], steps["repaired"]["detail"]) == (
                parts,
                {"summary": repaired["payload"]["summary"]},
            )
            history = (await vendor.get(f"/cases/{case}")).json()["history"]
            [recorded] = [h for h in history if h["step"] == "repaired"]
            assert recorded["detail"]["parts"] == parts


async def test_a_partner_from_the_document_hears_of_a_cancellation_and_why_its_reply_to_it_is_refused(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded)
    async with onboarded(seeded) as given, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        partner = DocumentPartner(given)
        async with partner.connected():
            ticket = await accepted_fault(intake, dispatch, tap, site)
            assert (await escalate(dispatch, ticket, partner.code, findings="No output")).status_code == 200
            [request] = await partner.take("escalationRequests", 1)
            case = request["payload"]["case_number"]

            cancelled = await vendor.post(f"/cases/{case}/cancel", json={"reason": "fixed by us"}, headers=MANAGER)
            assert cancelled.status_code == 200, cancelled.text
            [cancellation] = await partner.take("escalationRequests", 1)
            assert (cancellation["type"], cancellation["payload"]["case_number"], cancellation["correlation_id"]) == (
                "vendor.escalation_cancelled",
                case,
                case,
            )

            # The document: replies for a cancelled case are refused from then on.
            too_late = await partner.reply("Acknowledged", request)
            [refusal] = await partner.take("refusedReplies", 1)
            _documented(refusal, "impossible_step", too_late)
            assert await _status(vendor, case) == "cancelled"
