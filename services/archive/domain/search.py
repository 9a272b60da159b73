"""What a document is found by: the words of its title and of every value it holds (Chinese included),
and the serial numbers of the devices it names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SERIAL_KEYS = frozenset({"serial_number", "old_serial_number", "new_serial_number"})


def searchable_text(title: str, content: dict[str, Any]) -> str:
    """The title and every text or number the document holds, one per line (keys and images left out)."""
    return "\n".join([title, *_values(content)])


def serial_numbers(content: dict[str, Any]) -> list[str]:
    """Every serial number the document names, lower-cased (serials are matched without case)."""
    found: set[str] = set()
    _collect_serials(content, found)
    return sorted(found)


def _values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.endswith("_png"):
                yield from _values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item)
    elif isinstance(node, str | int | float) and not isinstance(node, bool):
        yield str(node)


def _collect_serials(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SERIAL_KEYS and isinstance(value, str) and value:
                found.add(value.casefold())
            else:
                _collect_serials(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_serials(item, found)
