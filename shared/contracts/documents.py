"""Events of the archive."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.bounds import Code, Identifier, Name
from shared.contracts.envelope import Event


class DocumentArchived(Event):
    """A document was filed under a code; its content hashes to `sha256`."""

    message_type: ClassVar[str] = "document.archived"

    document_code: Identifier = Field(description="Stable readable code, e.g. HH138-2026-REC-000123.")
    version: int = Field(ge=1)
    category: Code
    title: Name
    site_code: Code
    ticket_id: Identifier | None = None
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    archived_at: AwareDatetime
