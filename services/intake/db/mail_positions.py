"""The places of the mails read from the service mailboxes (`intake.mail_positions`): which were taken,
which keep failing and when they are tried again, which are still to be flagged on the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db.tables import mail_positions as positions
from services.intake.mail.mailbox_contract import MailboxPosition

TAKEN, FAILING, FAILED = "taken", "failing", "failed"


@dataclass(frozen=True)
class Folder:
    """A mailbox's folder as selected: positions of another UIDVALIDITY do not apply to it."""

    mailbox: str
    folder: str
    uidvalidity: int

    def at(self, uid: int) -> MailboxPosition:
        return MailboxPosition(mailbox=self.mailbox, folder=self.folder, uidvalidity=self.uidvalidity, uid=uid)

    def where(self) -> ColumnElement[bool]:
        return and_(
            positions.c.mailbox == self.mailbox,
            positions.c.folder == self.folder,
            positions.c.uidvalidity == self.uidvalidity,
        )


async def next_uid(connection: AsyncConnection, folder: Folder) -> int:
    """The first UID the reader has not seen in this folder (of this UIDVALIDITY): 1 when it is new."""
    highest = await connection.scalar(select(func.max(positions.c.uid)).where(folder.where()))
    return int(highest or 0) + 1


async def last_uidvalidity(connection: AsyncConnection, mailbox: str, folder: str) -> int | None:
    """The UIDVALIDITY the folder was last read under, if ever."""
    return await connection.scalar(
        select(positions.c.uidvalidity)
        .where(positions.c.mailbox == mailbox, positions.c.folder == folder)
        .order_by(positions.c.first_seen_at.desc(), positions.c.uidvalidity.desc())
        .limit(1)
    )


async def claim(
    connection: AsyncConnection, position: MailboxPosition, *, message_id: str | None, size: int, now: datetime
) -> bool:
    """Record the mail as taken in this transaction; False if it was taken or given up before (by this
    reader before a crash, or by another that read the mailbox at the same time)."""
    statement = insert(positions).values(
        mailbox=position.mailbox, folder=position.folder, uidvalidity=position.uidvalidity, uid=position.uid,
        message_id=message_id, size=size, outcome=TAKEN, settled_at=now,
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=[positions.c.mailbox, positions.c.folder, positions.c.uidvalidity, positions.c.uid],
        set_={"outcome": TAKEN, "settled_at": now, "next_try_at": None},
        where=positions.c.outcome == FAILING,
    )
    return (await connection.execute(statement.returning(positions.c.uid))).first() is not None


async def record_failure(
    connection: AsyncConnection,
    position: MailboxPosition,
    *,
    message_id: str | None,
    size: int,
    error: str,
    now: datetime,
    max_tries: int,
    retry_delays: Sequence[float],
) -> str:
    """Count a failed try; FAILED once `max_tries` have failed (the mail is left alone then), else FAILING
    with the time of the next try. Returns which."""
    key = (positions.c.mailbox == position.mailbox, positions.c.folder == position.folder,
           positions.c.uidvalidity == position.uidvalidity, positions.c.uid == position.uid)  # fmt: skip
    tries = await connection.scalar(select(positions.c.tries).where(*key).with_for_update())
    tries = (tries or 0) + 1
    outcome = FAILED if tries >= max_tries else FAILING
    delay = timedelta(seconds=retry_delays[min(tries, len(retry_delays)) - 1])
    state = {
        "tries": tries, "last_error": error[:2000], "outcome": outcome,
        "next_try_at": None if outcome == FAILED else now + delay, "settled_at": now if outcome == FAILED else None,
    }  # fmt: skip
    statement = insert(positions).values(
        mailbox=position.mailbox, folder=position.folder, uidvalidity=position.uidvalidity, uid=position.uid,
        message_id=message_id, size=size, **state,
    )  # fmt: skip
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[positions.c.mailbox, positions.c.folder, positions.c.uidvalidity, positions.c.uid],
            set_=state,
        )
    )
    return outcome


async def unflagged(connection: AsyncConnection, folder: Folder) -> list[tuple[int, str]]:
    """The mails taken or given up whose flag (or move) on the server is still to be done, by UID."""
    rows = await connection.execute(
        select(positions.c.uid, positions.c.outcome)
        .where(folder.where(), positions.c.flagged_at.is_(None), positions.c.outcome.in_([TAKEN, FAILED]))
        .order_by(positions.c.uid)
    )
    return [(int(uid), outcome) for uid, outcome in rows]


async def mark_flagged(connection: AsyncConnection, folder: Folder, uids: Sequence[int], now: datetime) -> None:
    await connection.execute(update(positions).where(folder.where(), positions.c.uid.in_(uids)).values(flagged_at=now))


async def due_retries(connection: AsyncConnection, folder: Folder, now: datetime, limit: int) -> list[int]:
    rows = await connection.execute(
        select(positions.c.uid)
        .where(folder.where(), positions.c.outcome == FAILING, positions.c.next_try_at <= now)
        .order_by(positions.c.uid)
        .limit(limit)
    )
    return [int(uid) for (uid,) in rows]


async def next_retry_at(connection: AsyncConnection, folder: Folder) -> datetime | None:
    at: datetime | None = await connection.scalar(
        select(func.min(positions.c.next_try_at)).where(folder.where(), positions.c.outcome == FAILING)
    )
    return at
