"""A document's reading copy: what its sheet says in one reader's language (Chinese or English) alone,
worked out from what was filed and from what the archive knows of the site when the copy is read.

The filed document stays the record: bilingual headings, its values in the Chinese words it was filed
with. A reading copy is typeset on request from the same content and is neither filed nor chained: its
foot names the filed original and that original's SHA-256. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.contracts import SiteDescribed
from shared.words import LANGUAGES, VOCABULARIES, Language, named

READING_LANGUAGES: tuple[Language, ...] = LANGUAGES


def reading_words(
    language: str, described: SiteDescribed | None, filed: Mapping[str, Any]
) -> dict[str, dict[str, str]]:
    """The words for every code a form may show, in the reader's language, by vocabulary: shared/words.py's
    and the site's subsystems by their names (intake's latest `site.described`). A Chinese copy keeps the
    words its document was filed with where it has them (documents filed before documents carried words
    have none: their codes are worded now)."""
    english = language == "en"
    found: dict[str, dict[str, str]] = {
        vocabulary: {code: said[1] if english else said[0] for code, said in codes.items()}
        for vocabulary, codes in VOCABULARIES.items()
    }
    subsystems = {
        s.code: named({"name": s.name, "local_name": s.local_name}, language) or s.code
        for s in (described.subsystems or () if described else ())
    }
    found["subsystem"] = subsystems
    if not english:
        for vocabulary, said in filed.items():
            if isinstance(said, Mapping):
                found.setdefault(vocabulary, {}).update({str(code): str(word) for code, word in said.items()})
    return found


def site_name(language: str, described: SiteDescribed | None, filed_name: str | None, site_code: str) -> str:
    """The site's name in the reader's language: intake's latest names for it, else the name it was filed
    under, else its code."""
    if described is not None:
        return named({"name": described.name, "local_name": described.local_name}, language) or described.name
    return filed_name or site_code


def photo_hashes(content: Mapping[str, Any]) -> list[str]:
    """The SHA-256 of each photo a document shows, in its order (a service report's)."""
    photos = content.get("photos")
    return [str(p["sha256"]) for p in photos if isinstance(p, Mapping)] if isinstance(photos, list) else []


def signature_of(content: Mapping[str, Any]) -> str | None:
    """The customer's drawn signature a service report carries (base64 PNG), if any."""
    confirmation = content.get("confirmation")
    if isinstance(confirmation, Mapping) and isinstance(confirmation.get("signature_png"), str):
        return str(confirmation["signature_png"])
    return None


def signed_version(content: Mapping[str, Any]) -> int | None:
    """The version of a register both parties signed, if the document is its sealed version."""
    signed = content.get("signed")
    return int(signed["version"]) if isinstance(signed, Mapping) and "version" in signed else None
