"""Taking a vendor partner's replies: the use case behind the `vendor.replies` queue.

Each reply is authenticated by what the broker itself checked: the `user_id` property (RabbitMQ
refuses a message whose user_id is not the publisher's own user) and the routing key's prefix (the
partner's topic permission allows only its own code). A reply for a case of another partner, a case
that does not exist, or a step that makes no sense for the case is refused: dead-lettered with the
reason, and the partner is told on its error queue. Replies are idempotent by message id (the inbox).

A reply is what its routing key says: a message whose type is another step than the key's
(`repaired` under `pa.acknowledged`) is refused, as is one dated beyond a few minutes ahead of our clock.
Clocks stop when Aftercare receives a step, not at a time the partner writes in it. Replies are taken
concurrently (and by several vendor processes), so a reply the partner sent before a step already
taken may come after it: it is recorded as late and moves the case only to end it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aio_pika.exceptions import DeliveryError
from faststream.rabbit import RabbitMessage

from services.vendor.db import case_statements as statements
from services.vendor.db import repository
from services.vendor.db.case_statements import HistoryStep
from services.vendor.domain.cases import STEP_OF_REPLY, CaseStatus, ImpossibleStep, Step, after_reply, is_late
from services.vendor.escalation import end_case
from services.vendor.partner_topology import REQUESTS_EXCHANGE, broker_user, declare_partner, errors_key
from shared.contracts import Envelope, VendorEscalationProgressed
from shared.contracts.bounds import MAX_IDENTIFIER, MAX_TEXT
from shared.contracts.envelope import seal
from shared.contracts.partners import Declined, PartnerMessage, Repaired, ReplacementShipped, ReplyRefused, RmaIssued
from shared.messaging.failures import PermanentFailure
from shared.messaging.publisher import Publisher
from shared.messaging.unit_of_work import Delivery, UnitOfWork

USER_PREFIX = broker_user("")
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of ours a partner's clock may run


async def take_reply(uow: UnitOfWork, message: Envelope[PartnerMessage], *, now: datetime) -> None:
    """One read (the partner and the case, locked) and one write (the case's step with its history)."""
    reply = message.payload
    code = _sender(uow.delivery)
    number = repository.number_of(reply.case_number)
    found = await statements.partner_and_case(uow.connection, code, number)
    if found is None or not found.partner_active:
        raise PermanentFailure("partner_disabled", f"partner {code} is not active")
    step = STEP_OF_REPLY[type(reply)]
    keyed = (uow.delivery.routing_key or "").removeprefix(f"{code}.")
    if keyed != step.value:
        raise PermanentFailure(
            "type_and_key_differ",
            f"the routing key says {keyed!r} but the message is {message.type}: publish each reply under {code}.{step}",
        )
    if message.occurred_at > now + CLOCK_SKEW:
        raise PermanentFailure(
            "occurred_in_the_future",
            f"occurred_at {message.occurred_at.isoformat()} is ahead of our clock ({now.isoformat()}) by more than "
            f"{int(CLOCK_SKEW.total_seconds() // 60)} minutes: set it to when you sent the reply, in UTC",
        )
    if number is None or found.number is None:
        raise PermanentFailure("unknown_case", f"there is no case {reply.case_number}")
    if found.partner != code:
        raise PermanentFailure("not_your_case", f"case {reply.case_number} is not one of {code}'s cases")
    await _apply(uow, found, code, step, message, now)


async def _apply(
    uow: UnitOfWork, case: Any, code: str, step: Step, message: Envelope[PartnerMessage], now: datetime
) -> None:
    reply = message.payload
    detail, parts = _detail(reply), _parts(reply)
    recorded = {**detail, "parts": parts} if parts else detail  # the case's history keeps the list as a list
    actor = broker_user(code)
    current = CaseStatus(case.status)
    late = is_late(message.occurred_at, case.partner_step_at)
    try:
        status = after_reply(current, step, late=late)
    except ImpossibleStep as impossible:
        raise PermanentFailure("impossible_step", f"{reply.case_number}: {impossible}") from impossible
    if late and status is current:
        detail, recorded = {**detail, "late": "true"}, {**recorded, "late": "true"}
        await statements.record(uow.connection, case.number, HistoryStep(step, status, recorded), actor=actor, at=now)
        _announce(uow, case, code, step, detail, parts, now)
        return
    stamp: dict[str, Any] = {"partner_step_at": max(message.occurred_at, case.partner_step_at or message.occurred_at)}
    taken = HistoryStep(step, status, recorded)
    if status is CaseStatus.FIXED:
        # The repair itself is a step the others hear of (with its parts), before the case's end.
        _announce(uow, case, code, step, detail, parts, now)
        summary = detail.get("summary")
        await end_case(uow, case, outcome=status, reason=summary, actor=actor, at=now, before=(taken,), **stamp)
        return
    if status is CaseStatus.DECLINED:
        assert isinstance(reply, Declined)
        await end_case(uow, case, outcome=status, reason=reply.reason, actor=actor, at=now, **stamp)
        return
    await statements.move_case(
        uow.connection, case.number, steps=[taken], actor=actor, at=now, **stamp, **_case_changes(reply)
    )
    _announce(uow, case, code, step, detail, parts, now)


def _announce(
    uow: UnitOfWork, case: Any, partner: str, step: Step, detail: dict[str, str], parts: list[str], now: datetime
) -> None:
    """`vendor.escalation.progressed`: the SLA service stops the partner's clock for the step."""
    uow.publish(
        VendorEscalationProgressed(
            case_number=repository.case_number(case.number),
            ticket_id=case.ticket_id,
            partner=partner,
            step=step.value,
            at=now,
            detail=detail,
            parts=parts,
        ),
        correlation_id=case.ticket_id,
    )


def _sender(delivery: Delivery) -> str:
    """The partner the broker says sent the reply (its user_id), publishing under its own routing keys."""
    sender = delivery.sender or ""
    if not sender.startswith(USER_PREFIX):
        raise PermanentFailure("unauthenticated", "set the user_id property of each reply to your broker user name")
    code = sender.removeprefix(USER_PREFIX)
    if not (delivery.routing_key or "").startswith(f"{code}."):
        raise PermanentFailure("wrong_routing_key", f"publish replies with routing keys that start with {code}.")
    return code


def _detail(reply: PartnerMessage) -> dict[str, str]:
    """The reply's fields as text, each within what `vendor.escalation.progressed` carries in its detail;
    a repair's parts travel as the list they are (`_parts`)."""
    fields = reply.model_dump(mode="json", exclude={"case_number", "parts"}).items()
    return {k: _as_text(v)[:MAX_TEXT] for k, v in fields if v not in (None, [])}


def _as_text(value: object) -> str:
    return "; ".join(str(item) for item in value) if isinstance(value, list) else str(value)


def _parts(reply: PartnerMessage) -> list[str]:
    return list(reply.parts) if isinstance(reply, Repaired) else []


def _case_changes(reply: PartnerMessage) -> dict[str, Any]:
    if isinstance(reply, RmaIssued):
        return {"rma_number": reply.rma_number}
    if isinstance(reply, ReplacementShipped):
        return {"new_serial_number": reply.new_serial_number, "rma_number": reply.rma_number}
    return {}


async def tell_partner(publisher: Publisher, message: RabbitMessage, reason: str, detail: str) -> None:
    """A refused reply's partner is told on its own error queue what was wrong."""
    raw = message.raw_message
    code = (raw.user_id or "").removeprefix(USER_PREFIX) if (raw.user_id or "").startswith(USER_PREFIX) else None
    code = code or (raw.routing_key or "").split(".", 1)[0]
    if not code:
        return
    # The ids are the partner's own (AMQP allows 255 characters): cut to what the contract carries.
    refused_id = (raw.message_id or "")[:MAX_IDENTIFIER] or None
    notice = seal(
        ReplyRefused(
            refused_message_id=refused_id, reason=reason, detail=detail[:MAX_TEXT], refused_at=datetime.now(UTC)
        ),
        producer="vendor",
        correlation_id=(raw.correlation_id or raw.message_id or "unknown")[:MAX_IDENTIFIER],
    )

    async def publish() -> None:
        await publisher.publish(
            notice.model_dump_json().encode(),
            exchange=REQUESTS_EXCHANGE,
            routing_key=errors_key(code),
            message_id=str(notice.message_id),
            correlation_id=notice.correlation_id,
            message_type=notice.type,
        )

    try:
        await publish()
    except DeliveryError:  # unroutable: a partner onboarded before its error queue was bound here
        await declare_partner(publisher.amqp_url, code)
        await publish()
