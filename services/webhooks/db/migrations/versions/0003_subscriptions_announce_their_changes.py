"""Subscriptions announce their changes

Every statement that adds, changes or removes subscriptions notifies the channel
`webhooks_subscriptions` (services/webhooks/subscribed_sites.py): each webhooks process keeps the sites
that someone subscribed to in memory and reads them again when told, instead of asking the database for
every event.

Why NOTIFY here, when the outbox does not use it (shared/messaging/outbox.py): a transaction that
notifies takes a database-wide lock at commit, which would serialise every commit of every service if
every transaction notified. Subscriptions change a few times a day (a customer subscribes, removes, a
receiver is paused or resumed): those few commits take the lock, nothing else does.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Once per statement, not per row, and no payload: a listener reads the whole set again whatever changed.
ANNOUNCE = (
    """
    CREATE FUNCTION webhooks.announce_subscriptions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('webhooks_subscriptions', '');
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER subscriptions_announce_changes
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON webhooks.subscriptions
        FOR EACH STATEMENT EXECUTE FUNCTION webhooks.announce_subscriptions_changed()
    """,
)


def upgrade() -> None:
    for statement in ANNOUNCE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER subscriptions_announce_changes ON webhooks.subscriptions")
    op.execute("DROP FUNCTION webhooks.announce_subscriptions_changed()")
