"""Tamper evidence: each site's documents form a hash chain.

Every document version filed for a site is a link: its hash covers the previous link's hash, the
document's code, version, the SHA-256 of its JSON and of its PDF, and when it was filed. Changing a
document, its PDF or the order afterwards, or taking one out, breaks every link from there on;
`first_break` walks a site's chain and names the first link that does not hold.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64  # the "previous hash" of a site's first document


def link_hash(
    previous: str, *, code: str, version: int, sha256: str, pdf_sha256: str | None, archived_at: datetime
) -> str:
    material = "\n".join(
        (previous, code, str(version), sha256, pdf_sha256 or "", archived_at.astimezone(UTC).isoformat())
    )
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class StoredLink:
    """A document version as stored, with what its link claims."""

    position: int
    code: str
    version: int
    content: bytes
    sha256: str
    pdf: bytes | None
    pdf_sha256: str | None
    archived_at: datetime
    previous_hash: str
    chain_hash: str


@dataclass(frozen=True)
class Break:
    position: int
    code: str
    version: int
    why: str

    def __str__(self) -> str:
        return f"link {self.position} ({self.code} v{self.version}): {self.why}"


@dataclass(frozen=True)
class Verified:
    links: int
    first_break: Break | None


async def verify(links: AsyncIterable[StoredLink]) -> Verified:
    """Walk a site's links in order of position; the count, and the first that does not hold."""
    previous, expected_position, count = GENESIS, 1, 0
    async for link in links:
        count += 1
        why = _why_broken(link, previous, expected_position)
        if why is not None:
            return Verified(count, Break(link.position, link.code, link.version, why))
        previous, expected_position = link.chain_hash, link.position + 1
    return Verified(count, None)


def _why_broken(link: StoredLink, previous: str, expected_position: int) -> str | None:
    if link.position != expected_position:
        return f"link {expected_position} is missing: the chain jumps to {link.position}"
    if hashlib.sha256(link.content).hexdigest() != link.sha256:
        return "its JSON does not match its SHA-256 (the content was changed)"
    if link.pdf is not None and hashlib.sha256(link.pdf).hexdigest() != link.pdf_sha256:
        return "its PDF does not match its SHA-256 (the rendition was changed)"
    if link.previous_hash != previous:
        return "it does not follow the link before it (a link was changed, removed or reordered)"
    computed = link_hash(
        previous,
        code=link.code,
        version=link.version,
        sha256=link.sha256,
        pdf_sha256=link.pdf_sha256,
        archived_at=link.archived_at,
    )
    if computed != link.chain_hash:
        return "its hash does not cover what it says (its code, version, checksums or time were changed)"
    return None
