"""The envelope every Aftercare message travels in, and the base classes of every payload.

An event is a fact one service publishes to whoever listens (`ticket.opened`); a command asks one
service to do something (`intake.submit_request`). Each payload model names its message type (for
events also the routing key) and its contract version. Within a version only additive, optional
changes are allowed; anything a consumer could trip over needs a new version (see `compatibility`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import Code, Identifier

ENVELOPE_SCHEMA_VERSION = 1


class Contract(BaseModel):
    """A message payload. Consumers ignore fields they do not know (tolerant reader)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    reads_versions: ClassVar[tuple[int, ...]] = ()
    """Earlier versions whose payloads this model reads as they are (it only widened what it accepts):
    consumers handle them as this version (compatibility.unreadable_changes proves it for each)."""

    @classmethod
    def versions_read(cls) -> tuple[int, ...]:
        return (cls.schema_version, *cls.reads_versions)

    def version_needed(self) -> int:
        """The version a message of this payload is published under: the lowest whose readers read it,
        so that readers not upgraded yet still take what they can (a contract that reads earlier
        versions says which this payload still fits); the contract's own by default."""
        return self.schema_version


class Event(Contract):
    """A fact, published on `aftercare.events` with its type as routing key."""


class Command(Contract):
    """A request addressed to one service's command queue."""


PayloadT = TypeVar("PayloadT")


class Envelope(BaseModel, Generic[PayloadT]):
    """Identity, causality and version of a message around its payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: uuid.UUID = Field(description="Unique per message; consumers deduplicate on it.")
    type: Code = Field(description="The event type, also the routing key, e.g. `ticket.opened`.")
    schema_version: int = Field(ge=1, description="Version of the payload contract.")
    occurred_at: AwareDatetime = Field(description="When the fact happened (UTC).")
    producer: Code = Field(description="The service that published it.")
    correlation_id: Identifier = Field(description="The business conversation: the ticket id.")
    causation_id: uuid.UUID | None = Field(
        default=None, description="The message that caused this one; none for a first cause."
    )
    payload: PayloadT


RawEnvelope = Envelope[dict[str, Any]]
"""An envelope whose payload has not yet been validated against its contract."""


ContractT = TypeVar("ContractT", bound=Contract)
EventT = TypeVar("EventT", bound=Event)


@cache
def envelope_of(contract: type[ContractT]) -> type[Envelope[ContractT]]:
    """`Envelope[contract]`, built once: pydantic builds a new class on each subscript otherwise."""
    return cast("type[Envelope[ContractT]]", Envelope[contract])  # type: ignore[valid-type]


def seal(
    payload: ContractT,
    *,
    producer: str,
    correlation_id: str,
    causation_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[ContractT]:
    """Wrap a payload in a fresh envelope, ready for the outbox."""
    return envelope_of(type(payload))(
        message_id=uuid.uuid4(),
        type=payload.message_type,
        schema_version=payload.version_needed(),
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload,
    )
