"""What a service does with each message type arriving on one queue: the routes its `QueueConsumer` follows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic

from shared.contracts.envelope import ContractT, Envelope
from shared.messaging.unit_of_work import UnitOfWork

Handler = Callable[[Envelope[ContractT], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Route(Generic[ContractT]):
    contract: type[ContractT]
    handler: Handler[ContractT]


class MessageHandlers:
    """What a service does with each (message type, schema version) arriving on one queue."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, int], Route[Any]] = {}

    def on(self, contract: type[ContractT]) -> Callable[[Handler[ContractT]], Handler[ContractT]]:
        def register(handler: Handler[ContractT]) -> Handler[ContractT]:
            # The earlier versions the contract reads are handled as it: their payloads validate as they are.
            keys = [(contract.message_type, version) for version in contract.versions_read()]
            for key in keys:
                if key in self._routes:
                    raise ValueError(f"{key} already has a handler")
            for key in keys:
                self._routes[key] = Route(contract, handler)
            return handler

        return register

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(sorted({message_type for message_type, _ in self._routes}))

    def route(self, message_type: str, schema_version: int) -> Route[Any] | None:
        return self._routes.get((message_type, schema_version))

    def knows(self, message_type: str) -> bool:
        return any(known == message_type for known, _ in self._routes)
