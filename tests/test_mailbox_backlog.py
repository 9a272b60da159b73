"""A backlog of 10,000 mails waiting when the worker starts (a long weekend with the hotline down): put
straight into the mailbox's maildir, as a delivery agent would, then taken by the worker in batches, each
once, in order, and flagged on the server, the worker idle afterwards and still taking new mail. Prints
how fast it went (a `take` that records a row: the reader's own rate; bench/mail_hotline.py has tickets)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.intake.db.tables import mail_positions
from testkit.database import fetch_all
from testkit.dovecot import Dovecot, dovecot, mail
from testkit.mailboxes import mailbox_of, running, takings
from testkit.waiting import eventually
from testkit.world import World

pytestmark = pytest.mark.timeout(600)
BACKLOG = 10_000


def _fill_maildir(server: Dovecot, count: int) -> None:
    """Write `count` mails into the user's maildir `new/`, owned as the server's own files are."""
    inbox = server.home / "mail" / server.username
    owner = inbox.stat()
    for n in range(count):
        path = inbox / "new" / f"{1_765_000_000 + n}.M{n}P1.bench"
        path.write_bytes(mail(f"报修 {n}: 会议室投影仪无信号"))
        os.chown(path, owner.st_uid, owner.st_gid)


async def test_a_backlog_of_ten_thousand_mails_is_taken_once_each_and_the_worker_goes_on(world: World) -> None:
    with dovecot() as server:
        async with server.client() as imap:  # the first login makes the maildir
            await imap.select("INBOX")
        _fill_maildir(server, BACKLOG)
        assert len(list((Path(server.home) / "mail" / server.username / "new").iterdir())) == BACKLOG
        async with takings(world) as taken:
            box = mailbox_of(server, poll_seconds=600)
            started = time.perf_counter()
            async with running(world, taken, box, mail_batch_size=100) as worker:
                state = worker.readers[0].state

                async def caught_up() -> bool:
                    assert (state.taken, state.status) == (BACKLOG, "idle"), state
                    return True

                await eventually(caught_up, timeout=540, interval=0.5, what="the backlog taken")
                elapsed = time.perf_counter() - started
                print(f"\n10,000-mail backlog taken in {elapsed:.1f} s: {BACKLOG / elapsed:,.0f} mails/s")
                uid, flagged = mail_positions.c.uid, mail_positions.c.flagged_at
                counted: Any = select(func.count(), func.count(func.distinct(uid)), func.count(flagged))
                counts = await fetch_all(world, counted.where(mail_positions.c.mailbox == box.name))
                assert tuple(counts[0]) == (BACKLOG, BACKLOG, BACKLOG)  # each once, each flagged on the server
                await server.deliver(mail("新邮件: 背景音乐没有声音"))

                async def the_next_one() -> bool:
                    assert state.taken == BACKLOG + 1, state
                    return True

                await eventually(the_next_one, timeout=30, what="a new mail after the backlog")
            assert len(await taken.rows()) == BACKLOG + 1
