"""What the archive knows of a ticket and of a site: the events in its own timeline, read back as the
contracts they were published under. Documents are drawn up from these, never from another service's
tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.contracts import Event, SiteDescribed, TicketClosed, TicketOpened, TicketReopened, TicketResolved
from shared.contracts.catalogue import EVENTS
from shared.words import named

LANGUAGE = "zh"
"""The language of the documents' values (names, and the words for codes): they are the Chinese
customer's records. Their headings say each field in Chinese with its English beside it."""

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

    @property
    def finished(self) -> bool:
        """Closed, or resolved and not reopened since: the work is done."""
        return bool(self.all(TicketClosed)) or len(self.all(TicketResolved)) > len(self.all(TicketReopened))


@dataclass(frozen=True)
class Site:
    """A site as its documents name it: its name and its subsystems' in the documents' language."""

    code: str
    name: str
    timezone: str
    address: str | None = None
    subsystems: Mapping[str, str] = field(default_factory=dict)  # code -> name

    @classmethod
    def known(cls, code: str, story: Story, described: SiteDescribed | None, default_timezone: str) -> Site:
        """The site from intake's latest description of it (its Chinese name where it has one), else
        from the ticket's opening, else its code alone in the default time zone (a site the archive heard
        nothing of yet)."""
        if described is not None:
            name = named({"name": described.name, "local_name": described.local_name}, LANGUAGE) or described.name
            subsystems = {
                s.code: named({"name": s.name, "local_name": s.local_name}, LANGUAGE) or s.code
                for s in described.subsystems or ()
            }
            return cls(code, name, described.timezone, described.address, subsystems)
        opened = story.opened
        if opened is not None:
            return cls(code, opened.site_name, opened.site_timezone)
        return cls(code, code, default_timezone)
