"""Site calendars

Each site's calendar as the SLA service tells it (`sla.site_calendar`): a partner's repair turnaround
counts working days on it, due at its end of the working day.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from shared.persistence.site_calendars import create_site_calendars_table, drop_site_calendars_table

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_site_calendars_table("vendor")


def downgrade() -> None:
    drop_site_calendars_table("vendor")
