"""A person's search words in SQL LIKE: what they typed, literally. `_` and `%` are LIKE's wildcards, so a
search for "_" would match everything; each is escaped with ESCAPE."""

from __future__ import annotations

ESCAPE = "\\"


def containing(words: str) -> str:
    """The pattern of a text containing `words` as typed; use with `.ilike(pattern, escape=ESCAPE)`."""
    literal = words.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{literal}%"
