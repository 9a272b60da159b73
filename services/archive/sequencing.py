"""The sequencer: every archive process numbers, chains, files and announces the documents drafted from
events (domain/sequencing.py), a site's waiting drafts together in one short transaction under the
site's chain lock. Another process holding that lock is doing the same: this one leaves the site and
looks again shortly.

A handler that drafts a document tells the sequencers of its process (`drafted`), before its own
commit: they look at once, and again less and less often until they have filed as many drafts as they
were told of (or for CHASE_SECONDS at most). A slow poll finds the drafts of a process that stopped
between its commit and its sequencer's look."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any, cast

from services.archive import timeline
from services.archive.db import filings, numbering
from services.archive.domain.sequencing import FIRST_VERSION, Placed, place
from services.archive.settings import ArchiveSettings
from shared.background import BackgroundLoop
from shared.contracts import DocumentArchived, Envelope, seal
from shared.logs import get_logger
from shared.messaging.outbox import OutgoingMessage
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

FIRST_LOOK_SECONDS = 0.002  # a drafting transaction commits a moment after it tells
LONGEST_LOOK_SECONDS = 0.064
CHASE_SECONDS = 1.0  # how long after the last draft the sequencer looks for it before its slow poll

_SEQUENCERS: set[Sequencer] = set()
_LATELY: deque[float] = deque()  # when this process drafted its documents of the last second
BURST_WINDOW_SECONDS = 1.0


def drafted() -> None:
    """Tell this process's sequencers that drafts will wait once the current transaction commits."""
    now = time.monotonic()
    _LATELY.append(now)
    _forget_before(now - BURST_WINDOW_SECONDS)
    for sequencer in _SEQUENCERS:
        sequencer.told()


def drafting_faster_than(per_second: int) -> bool:
    """Whether this process drafted more documents than `per_second` in the last second: a burst."""
    _forget_before(time.monotonic() - BURST_WINDOW_SECONDS)
    return len(_LATELY) > per_second


def _forget_before(moment: float) -> None:
    while _LATELY and _LATELY[0] < moment:
        _LATELY.popleft()


async def sequence_waiting(database: ServiceDatabase, batch: int) -> tuple[int, bool]:
    """Number, chain and file the drafts waiting at every site nobody else is sequencing: how many were
    taken, and whether a site has more waiting than one batch took."""
    async with database.glance() as connection:
        sites = await filings.sites_waiting(connection)
    taken, more = 0, False
    for site_code in sites:
        count = await sequence_site(database, site_code, batch)
        taken += count
        more = more or count == batch
    return taken, more


async def sequence_site(database: ServiceDatabase, site_code: str, batch: int) -> int:
    """Place up to `batch` of the site's waiting drafts after its last numbers and link, file them and
    announce each, in one transaction; 0 if another process holds the site's chain."""
    async with database.engine.begin() as connection:
        if not await numbering.try_chain_lock(connection, site_code):
            return 0
        held = await filings.held(connection, site_code, batch)
        fresh = [h for h in held if not h.filed]
        at = datetime.now(UTC)
        placed, numbers = place(
            site_code,
            [h.waiting for h in fresh],
            last_numbers=await numbering.last_numbers(connection, site_code),
            last_link=await numbering.last_link(connection, site_code),
            at=at,
        )
        await filings.move(connection, placed, at=at)
        await filings.drop(connection, [h.waiting.id for h in held if h.filed])
        await numbering.keep_numbers(connection, site_code, numbers)
        announced = [_announcement(database.producer, site_code, h, p, at) for h, p in zip(fresh, placed, strict=True)]
        await timeline.keep_own(connection, announced)
        outgoing = [OutgoingMessage.event(envelope) for envelope in announced]
        await database.outbox.add(connection, outgoing)
    if announced:
        database.events_committed(outgoing)
    return len(held)


def _announcement(producer: str, site_code: str, held: filings.Held, placed: Placed, at: datetime) -> Envelope[Any]:
    """The document's `document.archived`, caused by the message its draft was drawn from."""
    archived = DocumentArchived(
        document_code=placed.code,
        version=FIRST_VERSION,
        category=held.waiting.category.value,
        title=held.title,
        site_code=site_code,
        ticket_id=held.ticket_id,
        sha256=held.waiting.sha256,
        archived_at=at,
    )
    return seal(
        archived, producer=producer, correlation_id=held.correlation_id, causation_id=held.cause_id, occurred_at=at
    )


class Sequencer(BackgroundLoop):
    task_name = "sequencer"

    def __init__(self, database: ServiceDatabase, settings: ArchiveSettings) -> None:
        super().__init__()
        self.database = database
        self.batch = settings.sequence_batch
        self.poll_seconds = settings.sequence_poll_seconds
        self._woken = asyncio.Event()
        self._owed = 0  # drafts its process told of and it has not filed yet
        self._chase_until = 0.0

    def told(self) -> None:
        """A draft will wait once its transaction commits: look for it until it is filed, for a while."""
        self._owed += 1
        self._chase_until = time.monotonic() + CHASE_SECONDS
        self._woken.set()

    def start(self) -> None:
        _SEQUENCERS.add(self)
        super().start()

    async def stop(self) -> None:
        _SEQUENCERS.discard(self)
        await super().stop()

    def _interrupt(self) -> None:
        self._woken.set()

    async def _run(self) -> None:
        pause = FIRST_LOOK_SECONDS
        while not self.stopping.is_set():
            if self._woken.is_set():
                self._woken.clear()
                pause = FIRST_LOOK_SECONDS
                await asyncio.sleep(FIRST_LOOK_SECONDS)
            try:
                taken, more = await sequence_waiting(self.database, self.batch)
            except Exception as error:  # the database away for a moment: the drafts wait, safe
                log.warning("sequencing failed; will look again", error=str(error))
                taken, more = 0, False
            self._owed = max(0, self._owed - taken)
            if more:
                continue
            if taken:
                pause = FIRST_LOOK_SECONDS
            # Drafts told of and not seen yet are looked for again soon, less often each time; a draft whose
            # transaction rolled back, or that another process filed, is given up after CHASE_SECONDS.
            chasing = self._owed > 0 and time.monotonic() < self._chase_until
            if not chasing:
                self._owed = 0
            await self._wait(pause if chasing else self.poll_seconds)
            if chasing:
                pause = min(pause * 2, LONGEST_LOOK_SECONDS)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout=seconds)


def sequencer(database: ServiceDatabase, settings: ServiceSettings) -> Sequencer:
    return Sequencer(database, cast(ArchiveSettings, settings))
