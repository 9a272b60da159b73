"""The mailbox worker against a scripted IMAP server (testkit/fake_imap.py) playing what Dovecot does
with a broken mail file, and worse: a corrupt mail whose FETCH is answered NO, a body sent as NIL, a size
understated by a lying server. None stops the mailbox; none is lost without a record."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from sqlalchemy import select

from services.intake.db.tables import mail_positions
from services.intake.mail.imap_syntax import date_time_of
from services.intake.mail.mailbox_settings import MailboxSettings
from testkit.database import fetch_all
from testkit.dovecot import mail
from testkit.fake_imap import INTERNALDATE, FakeMail, FakeMailbox, serving
from testkit.mailboxes import running, takings
from testkit.waiting import eventually
from testkit.world import World


def box_at(port: int, name: str) -> MailboxSettings:
    return MailboxSettings(
        name=name, host="127.0.0.1", port=port, security="none", username="service@integrator.example.cn",
        password="pw", poll_seconds=0.2, timeout_seconds=5.0,
    )  # fmt: skip


async def positions_of(world: World, mailbox: str) -> dict[int, Any]:
    statement = select(mail_positions).where(mail_positions.c.mailbox == mailbox)
    return {row.uid: row for row in await fetch_all(world, statement)}


async def test_a_corrupt_mail_and_a_bodiless_one_are_recorded_as_failed_and_the_others_taken(world: World) -> None:
    server = FakeMailbox([FakeMail(mail("好的 1")), FakeMail(mail("坏的"), corrupt=True),
                          FakeMail(mail("空的"), bodiless=True), FakeMail(mail("好的 4"))])  # fmt: skip
    async with serving(server) as port, takings(world) as taken:
        box = box_at(port, "badmail1")
        async with running(world, taken, box, mail_max_tries=2) as worker:

            async def both_given_up() -> dict[int, Any]:
                places = await positions_of(world, box.name)
                assert {uid: p.outcome for uid, p in places.items()} == {
                    1: "taken",
                    2: "failed",
                    3: "failed",
                    4: "taken",
                }
                assert all(p.flagged_at is not None for p in places.values())
                return places

            places = await eventually(both_given_up, timeout=15, what="the bad two given up, the good two taken")
            state = worker.readers[0].state
            assert (state.failures, state.taken, state.failed) == (0, 2, 2)
        assert server.logins == 1  # one session throughout: a refused FETCH did not end it
        assert places[2].tries == 2
        assert "the server refused to fetch it" in places[2].last_error
        assert "SERVERBUG" in places[2].last_error
        assert places[3].last_error == "the server sent no body"
        assert {uid for uid in (2, 3) if "$AftercareFailed" in server.mail(uid).flags} == {2, 3}
        assert "\\Seen" not in server.mail(2).flags  # left for a person to look at
        assert "1:4 (UID RFC822.SIZE INTERNALDATE)" in server.fetches  # the batch first, then one at a time
        assert "2 (UID RFC822.SIZE INTERNALDATE)" in server.fetches
        rows = await taken.rows()
        assert [row.uid for row in rows] == [1, 4]
        beijing = timezone(timedelta(hours=8))
        assert {row.arrived_at for row in rows} == {date_time_of(INTERNALDATE.encode())}
        assert rows[0].arrived_at.astimezone(beijing).hour == 14


async def test_a_mail_sent_without_its_body_is_not_passed_over_unrecorded(world: World) -> None:
    server = FakeMailbox([FakeMail(mail("空的"), bodiless=True), FakeMail(mail("后来的"))])
    async with serving(server) as port, takings(world) as taken:
        box = box_at(port, "badmail3")
        async with running(world, taken, box, mail_max_tries=1):

            async def recorded() -> bool:
                places = await positions_of(world, box.name)
                assert {uid: p.outcome for uid, p in places.items()} == {1: "failed", 2: "taken"}
                return True

            await eventually(recorded, timeout=15, what="the bodiless mail recorded as failed")
        assert [row.uid for row in await taken.rows()] == [2]


async def test_a_literal_beyond_the_size_limit_ends_the_session_with_a_clear_error(world: World) -> None:
    huge = mail("现场录像", size=2 * 1024 * 1024)
    server = FakeMailbox([FakeMail(huge, size_told=1_000)])  # it says 1 kB, then sends 2 MB
    async with serving(server) as port, takings(world) as taken:
        box = box_at(port, "badmail2")
        async with running(world, taken, box, mail_max_bytes=65_536) as worker:
            state = worker.readers[0].state

            async def refused() -> bool:
                assert "over the 1114112 allowed" in (state.last_error or ""), state.last_error
                return True

            await eventually(refused, timeout=15, what="the lying literal refused")
            assert "a literal of" in (state.last_error or "")
        assert await taken.rows() == []
