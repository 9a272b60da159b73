"""The service as a whole

Every site has the subsystem `service`: a complaint or a question about the service itself (an
engineer's conduct, the contract) names it rather than one of the site's systems. Sites loaded before
get it here; the seed step gives it to every site loaded since.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO intake.subsystems (site_code, code, name, local_name) "
        "SELECT code, 'service', 'The service as a whole', '服务（综合）' FROM intake.sites "
        "ON CONFLICT (site_code, code) DO NOTHING"
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM intake.subsystems s WHERE s.code = 'service' AND NOT EXISTS "
        "(SELECT 1 FROM intake.service_requests r WHERE r.site_code = s.site_code AND r.subsystem = 'service')"
    )
