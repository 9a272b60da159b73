"""One mailbox's reader: holds the mailbox's advisory lock (one reader across every intake process), logs
in, and takes each new mail in a transaction that records its place, then flags or moves it on the server.

Which mails are new: those of UID at or above the first one not yet recorded for the folder's UIDVALIDITY
(`next_uid`) and, where the server keeps keywords, without $AftercareTaken (a mail flagged so by hand is
left alone). A restart resumes there. Mails recorded but not yet flagged (a crash, or the server gone,
between the commit and the flag) are flagged at the next pass and never taken again; a mail whose taking
fails is tried again after shared/backoff.py's delays, and after INTAKE_MAIL_MAX_TRIES is recorded as
failed (`intake.mail_positions`, the log, $AftercareFailed on the server) and left in the folder.

A new UIDVALIDITY (the folder rebuilt or replaced on the server) makes every recorded place meaningless:
the reader starts again from UID 1, and a mail read a second time is known by its Message-ID on the
taking side (taking.py), which turns the copy into nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db import mail_positions as places
from services.intake.mail.imap import ImapClient, ImapError, LiteralTooBig, LoginRefused
from services.intake.mail.imap_fetch import fetch_each, parts, uid_set
from services.intake.mail.imap_syntax import Fetched
from services.intake.mail.mailbox_contract import MailboxPosition, RawMail, Take
from services.intake.mail.mailbox_settings import FAILED_KEYWORD, TAKEN_KEYWORD, MailboxSettings
from services.intake.settings import IntakeSettings
from shared.backoff import BACKOFF
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)
_LITERAL_SLACK = 1024 * 1024  # over mail_max_bytes: a header fetched alone, a size understated a little


@dataclass(frozen=True)
class Pace:
    """How soon things are tried again: a lost connection, a mail whose taking failed."""

    reconnect: tuple[float, ...] = tuple(min(delay.total_seconds(), 600.0) for delay in BACKOFF)
    retry: tuple[float, ...] = tuple(delay.total_seconds() for delay in BACKOFF)
    reidle_seconds: float = 28 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes


@dataclass
class MailboxState:
    """What the readiness answer and the metrics say of a mailbox."""

    name: str
    status: str = "starting"  # waiting (another process reads it), connecting, reading, idle, retrying
    connected: bool = False
    last_error: str | None = None
    last_poll_at: datetime | None = None
    backlog: int = 0
    failures: int = 0  # connections or sessions failed in a row
    taken: int = 0
    failed: int = 0


class MailboxReader:
    def __init__(
        self, mailbox: MailboxSettings, database: ServiceDatabase, settings: IntakeSettings, take: Take, pace: Pace
    ) -> None:
        self.mailbox, self.database, self.settings, self.take, self.pace = mailbox, database, settings, take, pace
        self.state = MailboxState(mailbox.name)

    async def run(self, stopping: asyncio.Event) -> None:
        """Read the mailbox until `stopping` is set, whatever goes wrong meanwhile."""
        while not stopping.is_set():
            try:
                async with self._reading_rights() as lock:
                    if lock is not None:
                        await self._session(lock, stopping)
                        continue
                self.state.status = "waiting"
                await _wait(stopping, self.settings.mailbox_takeover_seconds)
                continue
            except LoginRefused as refused:
                self.state.last_error = str(refused)
                log.error("the mail server refused the mailbox's login", mailbox=self.mailbox.name, error=str(refused))
            except Exception as error:  # the server or the database gone, a strange answer: never the process
                self.state.last_error = f"{type(error).__name__}: {error}"
                log.warning("reading the mailbox failed", mailbox=self.mailbox.name, error=self.state.last_error)
            self.state.status, self.state.connected = "retrying", False
            self.state.failures += 1
            await _wait(stopping, self.pace.reconnect[min(self.state.failures, len(self.pace.reconnect)) - 1])

    @contextlib.asynccontextmanager
    async def _reading_rights(self) -> AsyncIterator[AsyncConnection | None]:
        """The mailbox's session-level advisory lock on a connection of its own, held while reading: the
        database lets it go when that connection dies, and another process takes over."""
        key = func.hashtext(f"intake:mailbox:{self.mailbox.name}")
        async with self.database.glance() as connection:
            held = await connection.scalar(select(func.pg_try_advisory_lock(key)))
            try:
                yield connection if held else None
            finally:
                if held:
                    try:
                        await connection.scalar(select(func.pg_advisory_unlock(key)))
                    except Exception:
                        await connection.invalidate()  # closed, so the lock goes with it

    async def _session(self, lock: AsyncConnection, stopping: asyncio.Event) -> None:
        self.state.status = "connecting"
        box = self.mailbox
        imap = await ImapClient.connect(
            box.host, box.port, security=box.security, ssl_context=box.ssl_context(), timeout=box.timeout_seconds,
            max_literal=self.settings.mail_max_bytes + _LITERAL_SLACK,  # a server may understate RFC822.SIZE
        )  # fmt: skip
        try:
            await imap.login(box.username, box.secret())
            if box.done_folder is not None:
                with contextlib.suppress(ImapError):  # there already
                    await imap.create(box.done_folder)
            selected = await imap.select(box.folder)
            folder = places.Folder(box.name, box.folder, selected.uidvalidity)
            await self._note_validity(folder)
            self.state.connected, self.state.last_error, self.state.failures = True, None, 0
            log.info("reading the mailbox", mailbox=box.name, folder=box.folder, uidvalidity=selected.uidvalidity)
            while not stopping.is_set():
                await lock.scalar(select(1))  # still ours: a lost lock connection ends the session
                self.state.status, self.state.last_poll_at = "reading", datetime.now(UTC)
                await self._flag(imap, folder, selected.keywords_allowed)
                if not await self._take_new(imap, folder, selected.keywords_allowed):
                    continue  # more of a backlog: no waiting
                await self._retry_due(imap, folder, selected.keywords_allowed)
                self.state.status = "idle"
                if await self._wait_for_mail(imap, folder, stopping) or stopping.is_set():
                    continue
                # A folder deleted and made again under a session is not seen by it (Dovecot's IDLE, STATUS and
                # SEARCH go on with the old one): selected afresh after each quiet wait, a new one is noticed.
                if (await imap.select(box.folder)).uidvalidity != folder.uidvalidity:
                    return
        finally:
            self.state.connected = False
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await imap.logout()

    async def _note_validity(self, folder: places.Folder) -> None:
        async with self.database.glance() as connection:
            before = await places.last_uidvalidity(connection, folder.mailbox, folder.folder)
        if before is not None and before != folder.uidvalidity:
            log.warning(
                "the folder's UIDVALIDITY changed: its mails are read again from the first, known by Message-ID",
                mailbox=folder.mailbox, folder=folder.folder, was=before, now=folder.uidvalidity,
            )  # fmt: skip

    async def _take_new(self, imap: ImapClient, folder: places.Folder, keywords: bool) -> bool:
        """Take the next batch of new mails; True once there were none left (caught up)."""
        async with self.database.glance() as connection:
            first = await places.next_uid(connection, folder)
        unflagged = ("UNKEYWORD", TAKEN_KEYWORD) if keywords else ()
        uids = [uid for uid in await imap.uid_search(f"UID {first}:*", *unflagged) if uid >= first]
        self.state.backlog = len(uids)
        if not uids:
            return True
        await self._take_batch(imap, folder, keywords, uids[: self.settings.mail_batch_size])
        return False

    async def _retry_due(self, imap: ImapClient, folder: places.Folder, keywords: bool) -> None:
        async with self.database.glance() as connection:
            due = await places.due_retries(connection, folder, datetime.now(UTC), self.settings.mail_batch_size)
        if due:
            await self._take_batch(imap, folder, keywords, due)

    async def _take_batch(self, imap: ImapClient, folder: places.Folder, keywords: bool, uids: Sequence[int]) -> None:
        """Fetch and take `uids` in order, bodies a bounded number of bytes at a time, flagging each part
        after its mails are committed. A mail the server will not give (refused, gone, no body) goes the way
        of a mail whose taking failed: recorded, tried again, in the end given up; never skipped unrecorded."""
        listed, refused = await fetch_each(imap, uids, "(UID RFC822.SIZE INTERNALDATE)")
        sizes = {uid: one.size or 0 for uid, one in listed.items()}
        for uid in (uid for uid in uids if uid not in sizes):
            await self._failed(folder.at(uid), None, 0, refused.get(uid, "the mail is no longer in the folder"))
        for part in parts([uid for uid in uids if uid in sizes], sizes, self.settings.mail_max_bytes):
            whole = [uid for uid in part if sizes[uid] <= self.settings.mail_max_bytes]
            heads = [uid for uid in part if uid not in whole]
            fetched: dict[int, Fetched] = {}
            for chosen, section in ((whole, "BODY.PEEK[]"), (heads, "BODY.PEEK[HEADER]")):
                if chosen:
                    try:
                        bodies, why = await fetch_each(imap, chosen, f"(UID {section})")
                    except LiteralTooBig as too_big:  # the server understated a size: the connection is gone
                        for uid in chosen:  # each counts a failed try, so that the mailbox never stalls on them
                            await self._failed(folder.at(uid), None, sizes[uid], str(too_big))
                        raise
                    fetched, refused = fetched | bodies, refused | why
            for uid in part:
                body = fetched[uid].body if uid in fetched else None
                if body is None:
                    await self._failed(folder.at(uid), None, sizes[uid], refused.get(uid, "the server sent no body"))
                    continue
                raw = RawMail(body, sizes[uid], complete=uid in whole, arrived_at=listed[uid].internal_date)
                await self._take_one(folder.at(uid), raw)
            await self._flag(imap, folder, keywords)

    async def _take_one(self, position: MailboxPosition, raw: RawMail) -> None:
        message_id = message_id_of(raw.data)
        try:
            async with self.database.unit_of_work() as uow:
                mine = await places.claim(
                    uow.connection, position, message_id=message_id, size=raw.size, now=datetime.now(UTC)
                )
                if mine:
                    await self.take(uow, raw, position)
        except Exception as error:
            await self._failed(position, message_id, raw.size, f"{type(error).__name__}: {error}")
            return
        if mine:
            self.state.taken += 1

    async def _failed(self, position: MailboxPosition, message_id: str | None, size: int, error: str) -> None:
        async with self.database.unit_of_work() as uow:
            outcome = await places.record_failure(
                uow.connection, position, message_id=message_id, size=size, error=error, now=datetime.now(UTC),
                max_tries=self.settings.mail_max_tries, retry_delays=self.pace.retry,
            )  # fmt: skip
        if outcome == places.FAILED:
            self.state.failed += 1
            log.error("a mail could not be taken and is left in the mailbox", uid=position.uid,
                      mailbox=position.mailbox, message_id=message_id, error=error)  # fmt: skip
        else:
            log.warning("taking a mail failed; it is tried again", mailbox=position.mailbox, uid=position.uid,
                        message_id=message_id, error=error)  # fmt: skip

    async def _flag(self, imap: ImapClient, folder: places.Folder, keywords: bool) -> None:
        """Flag or move, on the server, the mails recorded since their last flagging; then note it."""
        async with self.database.glance() as connection:
            waiting = await places.unflagged(connection, folder)
        taken = [uid for uid, outcome in waiting if outcome == places.TAKEN]
        failed = [uid for uid, outcome in waiting if outcome == places.FAILED]
        if taken and self.mailbox.done_folder is not None:
            await imap.uid_move(uid_set(taken), self.mailbox.done_folder)
        elif taken:
            await imap.uid_store(uid_set(taken), "+FLAGS", ("\\Seen", TAKEN_KEYWORD) if keywords else ("\\Seen",))
        if failed and keywords:
            await imap.uid_store(uid_set(failed), "+FLAGS", (FAILED_KEYWORD,))
        if waiting:
            async with self.database.unit_of_work() as uow:
                await places.mark_flagged(uow.connection, folder, [uid for uid, _ in waiting], datetime.now(UTC))

    async def _wait_for_mail(self, imap: ImapClient, folder: places.Folder, stopping: asyncio.Event) -> bool:
        """IDLE (or sleep, to poll) until new mail (True), the next retry due, the re-IDLE time or the stop."""
        seconds = self.pace.reidle_seconds
        async with self.database.glance() as connection:
            retry_at = await places.next_retry_at(connection, folder)
        if retry_at is not None:
            seconds = min(seconds, max(0.0, (retry_at - datetime.now(UTC)).total_seconds()))
        if self.mailbox.idle and "IDLE" in imap.capabilities:
            return await imap.idle(seconds, stopping)
        await _wait(stopping, min(seconds, self.mailbox.poll_seconds))
        return False


def message_id_of(data: bytes) -> str | None:
    """The Message-ID header's value, read from the header alone."""
    header = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in header.replace(b"\r\n", b"\n").replace(b"\n ", b" ").replace(b"\n\t", b" ").split(b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"message-id" and value.strip():
            return value.strip().decode(errors="replace")[:500]
    return None


async def _wait(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
