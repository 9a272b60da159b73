"""The office's ticket list: the question a page's form asks (the archive's list answers it, see
services/archive/ticket_list_handlers.py), its pages, and the columns of an export."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

MULTIPLE = ("site_code", "status", "kind", "priority", "subsystem", "engineer_id")
SINGLE = ("q", "reported_from", "reported_to", "breached", "open", "sort")
PER_PAGE = 50
MAX_EXPORT = 10_000
"""The most lines one export holds; a longer list is narrowed first."""


@dataclass(frozen=True)
class ListQuery:
    """What the person asked: each filter's values (none given: not filtered), and the page."""

    filters: Mapping[str, tuple[str, ...]]
    page: int = 1

    @classmethod
    def of(cls, params: Sequence[tuple[str, str]]) -> ListQuery:
        """From the page's query string: unknown keys and empty values dropped, a page number that is not
        one read as the first."""
        filters: dict[str, tuple[str, ...]] = {}
        page = 1
        for key, raw in params:
            value = raw.strip()
            if key == "page":
                page = int(value) if value.isdigit() and 0 < int(value) <= 100_000 else 1
            elif value and (key in MULTIPLE or (key in SINGLE and key not in filters)):
                filters[key] = (*filters.get(key, ()), value)
        return cls(filters, page)

    def given(self, key: str) -> tuple[str, ...]:
        return self.filters.get(key, ())

    def first(self, key: str) -> str:
        return next(iter(self.given(key)), "")

    def archive_params(self, *, site_code: str | None = None) -> dict[str, Any]:
        """The archive's query for this list; a customer's site replaces whatever sites were asked."""
        params: dict[str, Any] = {key: list(values) for key, values in self.filters.items()}
        if site_code is not None:
            params["site_code"] = [site_code]
        return params

    def link(self, **changes: Any) -> str:
        """The query string of this list with `changes` (e.g. page=3; None drops a key)."""
        pairs = [(key, value) for key, values in self.filters.items() if key not in changes for value in values]
        pairs += [(key, value) for key, value in changes.items() if value is not None]
        return urlencode(pairs)


@dataclass(frozen=True)
class Pages:
    number: int
    count: int

    @classmethod
    def of(cls, total: int, number: int, per_page: int = PER_PAGE) -> Pages:
        return cls(number, max(1, -(-total // per_page)))

    @property
    def previous(self) -> int | None:
        """The page before; from past the end, the last one."""
        return min(self.number - 1, self.count) if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


LABELLED = frozenset({"kind", "priority", "channel", "status"})
MOMENTS = frozenset({"reported_at", "next_due_at", "resolved_at", "closed_at"})


def export_rows(
    items: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    label: Callable[[str], str],
    local: Callable[[str | None], str],
    yes_no: Callable[[bool], str],
) -> list[list[object]]:
    """The lines as a person reads them: codes in words, moments on the site's clock."""

    def cell(item: Mapping[str, Any], key: str) -> object:
        value = item.get(key)
        if key == "engineer_name":
            return value or item.get("engineer_id") or ""
        if key == "breached":
            return yes_no(bool(value))
        if value is None:
            return ""
        if key in LABELLED:
            return label(str(value))
        if key in MOMENTS:
            return local(str(value))
        return value

    return [[cell(item, key) for key in fields] for item in items]
