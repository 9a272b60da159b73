"""The notify service's own schema: the kernel's tables, whom it may tell and how (contacts), and every
notification it decided to send, with how the sending went. Both tables were dispatch's until issue 25:
migration 0001 moves them here whole, so their names, constraints and indexes stay as they were."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
    Column,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)

metadata = schema_metadata("notify")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

# The people notify tells, by their sign-in name: from the site descriptions, kept by an
# administrator, and each person's own choices (channels per kind, quiet hours, language).
contacts = Table(
    "contacts",
    metadata,
    Column("username", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("engineer_id", Text),
    Column("site_codes", ARRAY(Text), nullable=False, server_default="{}"),  # empty: every site
    Column("email", Text),
    Column("phone", Text),
    Column("robot_kind", Text),  # wecom or dingtalk
    Column("robot_url", Text),
    Column("robot_secret", Text),  # DingTalk's signing secret, if the robot has one
    Column("wecom_userid", Text),  # their member id in the company's WeCom, for application messages
    Column("language", Text, nullable=False, server_default="zh"),
    Column("timezone", Text, nullable=False, server_default="Asia/Shanghai"),
    Column("quiet_hours", Text),  # HH:MM-HH:MM, local
    Column("channels", JSONB, nullable=False, server_default="{}"),  # kind -> [channel]; a kind not named: default
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_contacts_engineer_id", "engineer_id"),
)

# What people call each site and its subsystems, as intake last described them (`site.described`): a
# notice names them in its reader's language rather than by their codes.
sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("local_name", Text),
    Column("subsystems", JSONB(none_as_null=True)),  # code -> {name, local_name}; none until described with them
    Column("described_at", TIMESTAMP(timezone=True), nullable=False),
)

# One row per person and channel for each thing told: the text as sent, when it may go (after quiet
# hours), and how it went; for a provider that reports delivery (Aliyun SMS), whether it reached the
# phone. The unique key is what makes a notice told twice reach each person once.
notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("notice_key", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("ticket_id", Text),
    Column("site_code", Text),
    Column("urgent", Boolean, nullable=False),
    Column("address", Text),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("caused_by", UUID(as_uuid=True)),  # the event's message id
    Column("status", Text, nullable=False),  # pending, sending (leased until send_after), sent, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False),
    Column("send_after", TIMESTAMP(timezone=True), nullable=False),
    Column("first_tried_at", TIMESTAMP(timezone=True)),
    Column("sent_at", TIMESTAMP(timezone=True)),
    Column("provider_message_id", Text),  # the provider's id for it: Aliyun's BizId, WeCom's msgid
    # waiting (for its receipt), delivered, not_delivered, unknown (no receipt came in time); none: the
    # channel reports nothing beyond taking it
    Column("delivery", Text),
    Column("delivery_error", Text),  # the provider's code for why it was refused or not delivered
    Column("receipt_at", TIMESTAMP(timezone=True)),  # when the receipt says it was delivered, or failed
    Column("receipt_polls", Integer, nullable=False, server_default="0"),
    Column("receipt_after", TIMESTAMP(timezone=True)),  # when its receipt is asked for next (the poller's lease)
    UniqueConstraint("notice_key", "username", "channel", name="uq_notifications_once"),
    Index("ix_notifications_due", "send_after", postgresql_where=text("status IN ('pending', 'sending')")),
    Index("ix_notifications_receipts_due", "receipt_after", postgresql_where=text("delivery = 'waiting'")),
    Index("ix_notifications_ticket_id", "ticket_id"),
    Index("ix_notifications_username", "username", "created_at"),
)
