"""The mailbox worker against a real IMAP server (a Dovecot of each test's own): every mail taken once,
in order, and flagged or moved on the server only after the transaction that took it committed."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from services.intake.db.tables import mail_positions
from services.intake.mail.imap import ImapClient, ImapClosed
from services.intake.mail.mailbox_contract import MailboxPosition, RawMail
from testkit.database import fetch_all
from testkit.dovecot import Dovecot, dovecot, mail
from testkit.mailboxes import mailbox_of, running, takings
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with dovecot() as started:
        yield started


async def flags_on(server: Dovecot, folder: str = "INBOX") -> dict[int, tuple[str, ...]]:
    async with server.client() as imap:
        await imap.select(folder)
        return {one.uid: one.flags for one in await imap.uid_fetch("1:*", "(UID FLAGS)")}


async def positions_of(world: World, mailbox: str) -> list[Any]:
    statement = select(mail_positions).where(mail_positions.c.mailbox == mailbox).order_by(mail_positions.c.uid)
    return await fetch_all(world, statement)


def subject_of(data: bytes) -> str:
    return str(email.message_from_bytes(data, policy=email.policy.default)["Subject"])


async def test_mails_are_taken_in_order_and_flagged_only_after_their_commit(world: World, server: Dovecot) -> None:
    seen_during_take: list[tuple[str, ...]] = []
    async with takings(world) as taken:

        async def look_at_the_server(raw: RawMail, position: MailboxPosition) -> None:
            seen_during_take.append((await flags_on(server))[position.uid])

        taken.before.append(look_at_the_server)
        await server.deliver(*(mail(f"报修 {n}: 监控主机离线") for n in range(5)))
        box = mailbox_of(server)
        async with running(world, taken, box):
            rows = await eventually(lambda: _when(taken.rows(), 5), what="five mails taken")
            assert [subject_of(row.data) for row in rows] == [f"报修 {n}: 监控主机离线" for n in range(5)]
            assert [row.uid for row in rows] == [1, 2, 3, 4, 5]
            assert all(row.complete for row in rows)
            await eventually(
                lambda: _all_flagged(server, 5), what="every mail flagged \\Seen and $AftercareTaken on the server"
            )
        assert len(seen_during_take) == 5
        assert all("\\Seen" not in flags and "$AftercareTaken" not in flags for flags in seen_during_take)
        positions = await positions_of(world, box.name)
        assert [(p.uid, p.outcome, p.flagged_at is not None) for p in positions] == [
            (n, "taken", True) for n in range(1, 6)
        ]
        assert all(p.message_id and p.message_id.endswith("@example.cn>") for p in positions)
        assert taken.calls == 5


async def test_a_crash_between_commit_and_flag_takes_nothing_twice(
    world: World, server: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def server_gone(*_: object, **__: object) -> None:
        raise ImapClosed("the server went away before the flag")

    async with takings(world) as taken:
        await server.deliver(mail("空调 1"), mail("空调 2"), mail("空调 3"))
        box = mailbox_of(server)
        with monkeypatch.context() as patched:
            patched.setattr(ImapClient, "uid_store", server_gone)
            async with running(world, taken, box):
                await eventually(lambda: _when(taken.rows(), 3), what="three mails committed")
                positions = await positions_of(world, box.name)
                assert [p.flagged_at for p in positions] == [None, None, None]
            assert all("$AftercareTaken" not in flags for flags in (await flags_on(server)).values())
        async with running(world, taken, box):  # the process restarted
            await eventually(lambda: _all_flagged(server, 3), what="the three flagged after the restart")
        assert taken.calls == 3
        assert len(await taken.rows()) == 3


async def test_a_mail_whose_taking_fails_is_tried_again_and_does_not_hold_up_the_others(
    world: World, server: Dovecot
) -> None:
    async with takings(world) as taken:
        tries: dict[str, int] = {}

        async def refuse_twice(raw: RawMail, position: MailboxPosition) -> None:
            subject = subject_of(raw.data)
            tries[subject] = tries.get(subject, 0) + 1
            if subject == "坏的" and tries[subject] <= 2:
                raise RuntimeError("the site could not be read")

        taken.before.append(refuse_twice)
        await server.deliver(mail("第一"), mail("坏的"), mail("第三"))
        box = mailbox_of(server)
        async with running(world, taken, box):
            rows = await eventually(lambda: _when(taken.rows(), 2), what="the good mails taken")
            assert [subject_of(r.data) for r in rows] == ["第一", "第三"]
            rows = await eventually(lambda: _when(taken.rows(), 3), what="the failing one taken at its third try")
            assert [subject_of(r.data) for r in rows] == ["第一", "坏的", "第三"]
            await eventually(lambda: _all_flagged(server, 3), what="all three flagged")
        bad = next(p for p in await positions_of(world, box.name) if p.uid == 2)
        assert (bad.outcome, bad.tries, bad.last_error) == ("taken", 2, "RuntimeError: the site could not be read")


async def test_a_mail_that_keeps_failing_is_recorded_as_failed_and_left_unread(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:

        async def refuse(raw: RawMail, position: MailboxPosition) -> None:
            if subject_of(raw.data) == "坏的":
                raise ValueError("unreadable")

        taken.before.append(refuse)
        await server.deliver(mail("坏的"), mail("好的"))
        box = mailbox_of(server)
        async with running(world, taken, box, mail_max_tries=2) as worker:
            await eventually(lambda: _failed(world, box.name), what="the bad mail given up")
            await eventually(lambda: _flag_is(server, 1, "$AftercareFailed"), what="marked failed on the server")
            assert worker.readers[0].state.failed == 1
        assert "\\Seen" not in (await flags_on(server))[1]  # left for a person to read
        assert [subject_of(r.data) for r in await taken.rows()] == ["好的"]


async def test_a_mail_over_the_size_limit_arrives_as_its_header_only(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        await server.deliver(mail("现场照片", size=300_000), mail("小的"))
        async with running(world, taken, mailbox_of(server), mail_max_bytes=65_536):
            big, small = await eventually(lambda: _when(taken.rows(), 2), what="both taken")
        assert (big.complete, small.complete) == (False, True)
        assert big.size > 300_000
        assert len(big.data) < 2_000
        assert b"Subject: =?utf-8?b?" in big.data
        assert b"xxxxxxxx" not in big.data
        assert big.message_id


async def test_a_mail_arrives_with_the_time_the_mailbox_received_it(world: World, server: Dovecot) -> None:
    received = datetime(2026, 12, 5, 23, 58, 41, tzinfo=timezone(timedelta(hours=8)))  # a Saturday's backlog
    async with takings(world) as taken:
        await server.deliver(mail("周六晚上: 消防主机报警"), arrived_at=received)
        await server.deliver(mail("刚刚收到"))
        async with running(world, taken, mailbox_of(server)):
            old, new = await eventually(lambda: _when(taken.rows(), 2), what="both taken")
        assert old.arrived_at == received
        assert abs(new.arrived_at - datetime.now(UTC)) < timedelta(minutes=5)


async def test_idle_wakes_the_worker_within_seconds_of_new_mail(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        async with running(world, taken, mailbox_of(server, poll_seconds=600)) as worker:
            await eventually(lambda: _status(worker, "idle"), what="the worker idling")
            started = time.monotonic()
            await server.deliver(mail("门禁故障"))
            await eventually(lambda: _when(taken.rows(), 1), timeout=5, what="the mail taken")
            waited = time.monotonic() - started
        assert waited < 2.0, waited


async def test_taken_mail_is_moved_to_the_done_folder(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        await server.deliver(mail("一"), mail("二"))
        async with running(world, taken, mailbox_of(server, done_folder="已处理")):
            await eventually(lambda: _when(taken.rows(), 2), what="both taken")
            await eventually(lambda: _empty(server), what="the inbox emptied")
        assert len(await flags_on(server, "已处理")) == 2


async def _when(rows: Any, count: int) -> list[Any]:
    found = await rows
    assert len(found) <= count, f"more than {count} taken: {len(found)}"
    return found if len(found) == count else []


async def _all_flagged(server: Dovecot, count: int) -> bool:
    flags = await flags_on(server)
    return len(flags) == count and all({"\\Seen", "$AftercareTaken"} <= set(f) for f in flags.values())


async def _flag_is(server: Dovecot, uid: int, flag: str) -> bool:
    return flag in (await flags_on(server)).get(uid, ())


async def _failed(world: World, mailbox: str) -> bool:
    return any(p.outcome == "failed" and p.flagged_at for p in await positions_of(world, mailbox))


async def _status(worker: Any, status: str) -> bool:
    return bool(worker.readers[0].state.status == status)


async def _empty(server: Dovecot) -> bool:
    return not await flags_on(server)
