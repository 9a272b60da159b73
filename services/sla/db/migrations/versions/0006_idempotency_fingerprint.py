"""Idempotency fingerprint

Each idempotency key keeps what its request said (the SHA-256 of its query and body): the same key
sent with another request is refused instead of answered with the first one's answer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from shared.persistence.kernel_tables import add_idempotency_fingerprint, drop_idempotency_fingerprint

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_idempotency_fingerprint("sla")


def downgrade() -> None:
    drop_idempotency_fingerprint("sla")
