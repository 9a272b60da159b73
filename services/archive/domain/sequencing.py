"""Numbering and chaining many drafts at once.

A document drafted from an event waits for its code and its link in the site's chain. The sequencer
takes a site's waiting drafts in the order they were drafted, under the site's chain lock, and gives
each the next number of its year and category and the next link after the site's last: numbers with
no gap and no repeat, a chain with no hole, whatever the number of drafts and of archive processes,
since only the holder of the lock numbers and chains, and it holds the lock for one short transaction
per batch instead of one filing from its number to its commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.archive.domain.chain import GENESIS, link_hash
from services.archive.domain.documents import Category, document_code

FIRST_VERSION = 1  # a drafted document is the first version of its code; a correction is filed as a version


@dataclass(frozen=True)
class Waiting:
    """A draft waiting for its code and its link."""

    id: int
    year: int
    category: Category
    sha256: str


@dataclass(frozen=True)
class Placed:
    """A draft's code and its link in the site's chain."""

    id: int
    code: str
    position: int
    previous_hash: str
    chain_hash: str


NumberKey = tuple[int, Category]
"""What a site's documents are numbered by: the year and the category."""


def place(
    site_code: str,
    waiting: Sequence[Waiting],
    *,
    last_numbers: Mapping[NumberKey, int],
    last_link: tuple[int, str] | None,
    at: datetime,
) -> tuple[list[Placed], dict[NumberKey, int]]:
    """Each draft's code (the next number of its year and category) and link (after the site's last, in
    the drafts' order), all filed `at`; and the last number of each year and category numbered."""
    numbers: dict[NumberKey, int] = {}
    position, previous = last_link if last_link else (0, GENESIS)
    placed = []
    for draft in waiting:
        key = (draft.year, draft.category)
        numbers[key] = numbers.get(key, last_numbers.get(key, 0)) + 1
        code = document_code(site_code, draft.year, draft.category, numbers[key])
        position += 1
        chain_hash = link_hash(
            previous, code=code, version=FIRST_VERSION, sha256=draft.sha256, pdf_sha256=None, archived_at=at
        )
        placed.append(Placed(draft.id, code, position, previous, chain_hash))
        previous = chain_hash
    return placed, numbers
