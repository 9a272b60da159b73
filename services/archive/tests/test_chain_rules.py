"""A site's hash chain, without a database: intact as filed, and broken at the first link that was
changed, removed or moved, whatever was changed in it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.archive.domain.chain import GENESIS, StoredLink, link_hash, verify

FILED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _chain(count: int) -> list[StoredLink]:
    links, previous = [], GENESIS
    for n in range(1, count + 1):
        content, pdf = f'{{"n":{n}}}'.encode(), f"%PDF {n}".encode()
        sha, pdf_sha = hashlib.sha256(content).hexdigest(), hashlib.sha256(pdf).hexdigest()
        at = FILED + timedelta(minutes=n)
        code = f"HH138-2026-REC-{n:06d}"
        chain_hash = link_hash(previous, code=code, version=1, sha256=sha, pdf_sha256=pdf_sha, archived_at=at)
        links.append(StoredLink(n, code, 1, content, sha, pdf, pdf_sha, at, previous, chain_hash))
        previous = chain_hash
    return links


async def _stream(links: list[StoredLink]) -> AsyncIterator[StoredLink]:
    for link in links:
        yield link


async def test_a_chain_as_filed_is_intact() -> None:
    verified = await verify(_stream(_chain(5)))
    assert (verified.links, verified.first_break) == (5, None)


async def test_changed_content_breaks_its_own_link() -> None:
    links = _chain(5)
    links[2] = replace(links[2], content=b'{"n":99}')
    broken = (await verify(_stream(links))).first_break
    assert broken is not None
    assert (broken.position, broken.code) == (3, "HH138-2026-REC-000003")
    assert "JSON" in broken.why


async def test_changed_content_with_its_checksum_recomputed_still_breaks_the_link() -> None:
    links = _chain(5)
    forged = b'{"n":99}'
    links[2] = replace(links[2], content=forged, sha256=hashlib.sha256(forged).hexdigest())
    broken = (await verify(_stream(links))).first_break
    assert broken is not None
    assert (broken.position, "its hash does not cover" in broken.why) == (3, True)


async def test_a_changed_pdf_is_named() -> None:
    links = _chain(3)
    links[0] = replace(links[0], pdf=b"%PDF forged")
    broken = (await verify(_stream(links))).first_break
    assert broken is not None
    assert (broken.position, "PDF" in broken.why) == (1, True)


async def test_a_removed_link_is_named() -> None:
    links = _chain(5)
    del links[1]
    broken = (await verify(_stream(links))).first_break
    assert broken is not None
    assert broken.position == 3
    assert "link 2 is missing" in broken.why


async def test_a_link_rehashed_after_a_change_breaks_the_next_one() -> None:
    links = _chain(4)
    changed = replace(links[1], archived_at=links[1].archived_at + timedelta(days=1))
    rehashed = link_hash(
        changed.previous_hash,
        code=changed.code,
        version=changed.version,
        sha256=changed.sha256,
        pdf_sha256=changed.pdf_sha256,
        archived_at=changed.archived_at,
    )
    links[1] = replace(changed, chain_hash=rehashed)
    broken = (await verify(_stream(links))).first_break
    assert broken is not None
    assert (broken.position, "does not follow" in broken.why) == (3, True)
