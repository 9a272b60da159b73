"""Site calendars

Each site's calendar as the SLA service tells it (`sla.site_calendar`): the follow-up call's due date
and the inspection visits' days and windows count working days on it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from shared.persistence.site_calendars import create_site_calendars_table, drop_site_calendars_table

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_site_calendars_table("dispatch")


def downgrade() -> None:
    drop_site_calendars_table("dispatch")
