"""What the archive knows of a ticket and of a site: the events in its own timeline, read back as the
contracts they were published under. Documents are drawn up from these, never from another service's
tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from shared.contracts import Event, SiteDescribed, TicketOpened
from shared.contracts.catalogue import EVENTS

EventT = TypeVar("EventT", bound=Event)
_CONTRACT = {(event.message_type, version): event for event in EVENTS for version in event.versions_read()}


def as_event(message_type: str, schema_version: int, payload: dict[str, Any]) -> Event | None:
    """A timeline row as its contract; None for a type this version of the archive does not know."""
    contract = _CONTRACT.get((message_type, schema_version))
    return contract.model_validate(payload) if contract else None


@dataclass(frozen=True)
class Story:
    """A ticket's events (or a site's), oldest first."""

    events: tuple[Event, ...]

    @classmethod
    def of(cls, events: Iterable[Event | None]) -> Story:
        return cls(tuple(event for event in events if event is not None))

    def all(self, kind: type[EventT]) -> list[EventT]:
        return [event for event in self.events if isinstance(event, kind)]

    def last(self, kind: type[EventT]) -> EventT | None:
        found = self.all(kind)
        return found[-1] if found else None

    @property
    def opened(self) -> TicketOpened | None:
        return self.last(TicketOpened)


@dataclass(frozen=True)
class Site:
    """A site as its documents name it."""

    code: str
    name: str
    timezone: str
    address: str | None = None

    @classmethod
    def known(cls, code: str, story: Story, described: SiteDescribed | None, default_timezone: str) -> Site:
        """The site from the ticket's opening, else from intake's latest description of it, else its
        code alone in the default time zone (a site the archive heard nothing of yet)."""
        if described is not None:
            return cls(code, described.name, described.timezone, described.address)
        opened = story.opened
        if opened is not None:
            return cls(code, opened.site_name, opened.site_timezone)
        return cls(code, code, default_timezone)
