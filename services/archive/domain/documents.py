"""What a filed document is: its category, its code, its exact bytes and their SHA-256.

Codes read as site, year, category, sequence (`HH138-2026-REC-000123`): stable, unique per site,
year and category, and short enough to write on a paper form. Content is canonical JSON (sorted
keys, no insignificant spaces, UTF-8) so the same facts always hash the same.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """The plan's document kinds, by the code printed in document numbers."""

    PLAN = "PLN"
    REPORT = "RPT"  # the on-site service report, with the customer's confirmation
    CONFIRMATION = "CFM"
    RECORD = "REC"  # the service request as received
    DISPATCH_ORDER = "DSP"
    FOLLOW_UP = "FUP"
    COMPLAINT = "CMP"  # the complaint handling record
    VENDOR = "VND"  # escalation letters to vendors and RMA records
    INSPECTION = "INS"
    REGISTER = "REG"


@dataclass(frozen=True)
class Draft:
    """A document ready to be filed: everything but its code."""

    category: Category
    title: str
    site_code: str
    site_name: str
    timezone: str
    year: int
    ticket_id: str | None
    source: str
    form: str  # the template of its PDF rendition, in forms/
    content: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)  # pictures its PDF shows (decoded from content)

    @property
    def body(self) -> bytes:
        return canonical_json(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def document_code(site_code: str, year: int, category: Category, sequence: int) -> str:
    return f"{site_code}-{year}-{category.value}-{sequence:06d}"
