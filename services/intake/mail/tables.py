"""The e-mail hotline's tables: every mail the service mailboxes received, what it became and why (a mail
is never lost: one that matched no site waits here, `unmatched`, for the operator; one from a machine is
kept, `ignored`, and never answered), and the acknowledgements sent to their senders."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.intake.db.tables import metadata

mails = Table(
    "mails",
    metadata,
    Column("mail_id", Uuid, primary_key=True),
    Column("message_id", Text, nullable=False, unique=True),  # one mail once, whichever mailbox or folder
    Column("mailbox", Text, nullable=False),
    Column("received_at", TIMESTAMP(timezone=True), nullable=False),
    Column("sent_at", TIMESTAMP(timezone=True)),
    Column("sender", Text, nullable=False),  # the From address
    Column("sender_name", Text, nullable=False, server_default=""),
    Column("sender_verified", Boolean, nullable=False),
    Column("reply_to", Text),
    Column("subject", Text, nullable=False),
    Column("words", Text, nullable=False),  # the new words, quoted history and signature trimmed
    Column("references", ARRAY(Text), nullable=False, server_default="{}"),  # In-Reply-To, then References
    Column("attachments", JSONB, nullable=False, server_default=text("'[]'::jsonb")),  # name, type, size, refused
    Column("problems", ARRAY(Text), nullable=False, server_default="{}"),
    Column("size", BigInteger, nullable=False),
    # opened (a ticket), noted (on its ticket), grouped (a flood's mail noted on the sender's open ticket),
    # unmatched (waits for the operator), ignored (a machine's, or our own), dismissed (by the operator)
    Column("status", Text, nullable=False),
    Column("why", Text),  # how it was matched, or why not
    Column("site_code", Text),
    Column("ticket_id", Text),
    Column("handled_by", Text),  # the operator who triaged it
    Column("handled_at", TIMESTAMP(timezone=True)),
    Index("ix_mails_status_received_at", "status", "received_at"),
    Index("ix_mails_sender_received_at", "sender", "received_at"),
    Index("ix_mails_ticket_id", "ticket_id"),
)

# The acknowledgements the hotline sends (replies.py): each written in the transaction that took its
# mail, sent by whichever intake process claims it (a lease), tried again until given up.
mail_replies = Table(
    "mail_replies",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("mail_id", Uuid, nullable=False, unique=True),  # one acknowledgement per mail
    Column("ticket_id", Text, nullable=False),
    Column("to_address", Text, nullable=False),
    Column("message", Text, nullable=False),  # the whole mail as it is sent (RFC 5322)
    Column("status", Text, nullable=False),  # pending, sending (leased until send_after), sent, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False),
    Column("send_after", TIMESTAMP(timezone=True), nullable=False),
    Column("sent_at", TIMESTAMP(timezone=True)),
    ForeignKeyConstraint(["mail_id"], ["intake.mails.mail_id"]),
    Index("ix_mail_replies_due", "send_after", postgresql_where=text("status IN ('pending', 'sending')")),
)

# The files the hotline keeps of a mail (files.py): its photos shrunk (sent to the archive as its
# ticket's photos once the mail is on a ticket, also when the operator puts it on one later) and its other
# files as they came, for the office; both bounded (domain/keeping.py). `number` is the file's place in
# the mail's `attachments` list.
mail_attachments = Table(
    "mail_attachments",
    metadata,
    Column("mail_id", Uuid, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("filename", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("is_photo", Boolean, nullable=False),
    Column("content", LargeBinary, nullable=False),
    ForeignKeyConstraint(["mail_id"], ["intake.mails.mail_id"]),
)
