"""Numbering and chaining a batch of waiting drafts, without a database: each year and category numbered
on from its last number, the links following the site's last one in the drafts' order."""

from __future__ import annotations

from datetime import UTC, datetime

from services.archive.domain.chain import GENESIS, link_hash
from services.archive.domain.documents import Category
from services.archive.domain.sequencing import Waiting, place

AT = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def _waiting(n: int, category: Category, year: int = 2026) -> Waiting:
    return Waiting(id=n, year=year, category=category, sha256=f"{n:064x}")


def test_each_year_and_category_is_numbered_on_from_its_last_number() -> None:
    waiting = [
        _waiting(1, Category.RECORD),
        _waiting(2, Category.DISPATCH_ORDER),
        _waiting(3, Category.RECORD),
        _waiting(4, Category.RECORD, year=2027),
    ]
    placed, numbers = place(
        "HH138", waiting, last_numbers={(2026, Category.RECORD): 41, (2025, Category.RECORD): 900},
        last_link=None, at=AT,
    )  # fmt: skip
    assert [p.code for p in placed] == [
        "HH138-2026-REC-000042",
        "HH138-2026-DSP-000001",
        "HH138-2026-REC-000043",
        "HH138-2027-REC-000001",
    ]
    assert [p.id for p in placed] == [1, 2, 3, 4]
    assert numbers == {(2026, Category.RECORD): 43, (2026, Category.DISPATCH_ORDER): 1, (2027, Category.RECORD): 1}


def test_the_links_follow_the_sites_last_link_in_the_drafts_order() -> None:
    waiting = [_waiting(n, Category.RECORD) for n in (7, 8, 9)]
    placed, _ = place("HH138", waiting, last_numbers={}, last_link=(12, "ab" * 32), at=AT)
    assert [p.position for p in placed] == [13, 14, 15]
    assert [p.previous_hash for p in placed] == ["ab" * 32, placed[0].chain_hash, placed[1].chain_hash]
    expected = link_hash("ab" * 32, code=placed[0].code, version=1, sha256=waiting[0].sha256, pdf_sha256=None,
                         archived_at=AT)  # fmt: skip
    assert placed[0].chain_hash == expected


def test_a_sites_first_document_follows_the_genesis() -> None:
    [first], numbers = place("HH138", [_waiting(1, Category.INSPECTION)], last_numbers={}, last_link=None, at=AT)
    assert (first.code, first.position, first.previous_hash) == ("HH138-2026-INS-000001", 1, GENESIS)
    assert numbers == {(2026, Category.INSPECTION): 1}


def test_nothing_waiting_places_nothing() -> None:
    assert place("HH138", [], last_numbers={(2026, Category.RECORD): 3}, last_link=(3, "c" * 64), at=AT) == ([], {})
