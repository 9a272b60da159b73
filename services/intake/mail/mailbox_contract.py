"""What the mailbox worker hands to the rest of the hotline: each new mail's bytes and its place in its
mailbox, inside the unit of work that records it (so that the mail is taken once, and flagged on the
server only after that commit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from shared.messaging.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class MailboxPosition:
    mailbox: str  # the configured mailbox's name (e.g. "service")
    folder: str  # the IMAP folder it was read from (INBOX)
    uidvalidity: int
    uid: int


@dataclass(frozen=True)
class RawMail:
    data: bytes  # the whole mail, or only its header when it was too big to fetch (`complete` False)
    size: int  # RFC822.SIZE as the server reported it
    complete: bool
    arrived_at: datetime | None = None  # INTERNALDATE: when the mailbox received it (a backlog's true time)


Take = Callable[[UnitOfWork, RawMail, MailboxPosition], Awaitable[None]]
"""Record what the mail becomes; raising rolls the transaction back and the mail is tried again later."""
