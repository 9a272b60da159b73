"""The mailbox worker when things go wrong: two processes at one mailbox, the mail server going away,
the folder rebuilt (a new UIDVALIDITY), TLS against a private CA, a wrong password."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from prometheus_client import generate_latest

import services
from services.intake.mail.mailbox import mailbox_workers
from shared.runtime import ServiceRuntime
from testkit.dovecot import Dovecot, dovecot, mail
from testkit.mailboxes import QUICK, mailbox_of, running, takings
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with dovecot() as started:
        yield started


async def test_two_workers_at_one_mailbox_take_each_mail_once_and_one_takes_over(world: World, server: Dovecot) -> None:
    async with takings(world) as taken, AsyncExitStack() as first_process, AsyncExitStack() as second_process:
        await server.deliver(*(mail(f"故障 {n}") for n in range(30)))
        box = mailbox_of(server)
        first = await first_process.enter_async_context(running(world, taken, box))
        second = await second_process.enter_async_context(running(world, taken, box))
        await eventually(lambda: _count(taken, 30), what="thirty mails taken")
        states = [first.readers[0].state, second.readers[0].state]
        assert sorted(state.status == "waiting" for state in states) == [False, True]
        reader, waiter = (first_process, states[1]) if states[0].connected else (second_process, states[0])
        await reader.aclose()  # the reading process ends: its lock goes with its database connection
        await server.deliver(mail("故障 30"))
        await eventually(lambda: _count(taken, 31), what="the next mail taken by the process left")
        assert waiter.connected
        assert waiter.taken == 1
        assert [row.uid for row in await taken.rows()] == list(range(1, 32))
        assert taken.calls == 31


async def test_the_worker_reconnects_when_the_server_comes_back(world: World, server: Dovecot) -> None:
    async with takings(world) as taken, running(world, taken, mailbox_of(server, poll_seconds=600)) as worker:
        state = worker.readers[0].state
        await eventually(lambda: _holds(state.status == "idle"), what="the worker idling")
        server.stop()
        await eventually(lambda: _holds(not state.connected), what="the loss noticed")
        server.start()
        await server.deliver(mail("机房温度告警"))
        await eventually(lambda: _count(taken, 1), timeout=15, what="the mail taken after the reconnect")
        assert state.connected


async def test_a_new_uidvalidity_reads_the_folder_again_from_the_first_uid(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        async with server.client() as imap:
            await imap.create("Hotline")
        await server.deliver(mail("旧 1"), mail("旧 2"), folder="Hotline")
        box = mailbox_of(server, folder="Hotline", done_folder="Done")
        # An IDLE on a deleted folder hears nothing from Dovecot: the reader finds out at its next re-IDLE.
        async with running(world, taken, box, pace=dataclasses.replace(QUICK, reidle_seconds=1.0)):
            await eventually(lambda: _count(taken, 2), what="the first two taken")
            async with server.client() as imap:  # the folder rebuilt on the server
                await imap.delete("Hotline")
                await imap.create("Hotline")
            await server.deliver(mail("新 1"), mail("新 2"), folder="Hotline")
            rows = await eventually(lambda: _count(taken, 4), timeout=15, what="the rebuilt folder's mails taken")
        assert [row.uid for row in rows] == [1, 1, 2, 2]
        assert len({row.uidvalidity for row in rows}) == 2


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_tls_with_the_servers_own_ca(world: World, security: str) -> None:
    with dovecot(tls="required") as server:
        async with takings(world) as taken:
            await server.deliver(mail("加密的"), security="starttls")
            port = server.port if security == "starttls" else server.tls_port
            box = mailbox_of(server, security=security, port=port, host="localhost")
            async with running(world, taken, box):
                await eventually(lambda: _count(taken, 1), what="the mail taken over TLS")


async def test_a_certificate_from_an_unknown_ca_is_refused(world: World) -> None:
    with dovecot(tls="required") as server:
        async with takings(world) as taken:
            box = mailbox_of(server, security="tls", port=server.tls_port, host="localhost", ca_file=None)
            async with running(world, taken, box) as worker:
                state = worker.readers[0].state
                await eventually(
                    lambda: _holds("CERTIFICATE_VERIFY_FAILED" in (state.last_error or "")), what="refused"
                )
                assert not state.connected


async def test_a_wrong_password_is_said_plainly_and_tried_again_later(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        box = mailbox_of(server, password="not-the-password")
        async with running(world, taken, box) as worker:
            reader = worker.readers[0]
            await eventually(lambda: _holds(reader.state.failures >= 2), what="two refused logins, a pause between")
            assert f"login as {server.username} refused" in (reader.state.last_error or "")
            assert "AUTHENTICATIONFAILED" in (reader.state.last_error or "")
            report = worker.report()[f"mailbox:{box.name}"]
            assert report["status"] in {"retrying", "connecting"}
            assert server.username not in str(worker.report())  # /readyz is public: the state, not the error
            assert "AUTHENTICATIONFAILED" not in str(worker.report())
            assert worker.running


async def test_the_runtime_reports_each_mailbox_and_its_metrics(world: World, server: Dovecot) -> None:
    async with takings(world) as taken:
        box = mailbox_of(server)
        definition = dataclasses.replace(
            services.definition("intake"), workers=(mailbox_workers(lambda _: taken.take, QUICK),)
        )
        runtime = ServiceRuntime(definition, world.settings("intake", mailboxes=[box], mailbox_takeover_seconds=0.2))
        worker = runtime.workers[0]
        worker.start()
        try:
            await server.deliver(mail("报表"))
            await eventually(lambda: _count(taken, 1), what="the mail taken")
            report = runtime.reports()[f"mailbox:{box.name}"]
            assert set(report) == {"status", "connected", "backlog", "last_poll_at"}  # nothing of user or errors
            assert report["connected"] is True
            metrics = generate_latest(runtime.registry).decode()
            assert f'intake_mailbox_connected{{mailbox="{box.name}"}} 1.0' in metrics
            assert f'intake_mail_taken_total{{mailbox="{box.name}"}} 1.0' in metrics
            assert f'intake_mailbox_failures_in_a_row{{mailbox="{box.name}"}} 0.0' in metrics
        finally:
            await worker.stop()
            await runtime.engine.dispose()


async def test_no_mailbox_configured_means_none_is_read(world: World) -> None:
    async with takings(world) as taken, running(world, taken) as worker:
        assert worker.readers == []
        assert worker.report() == {}
        assert worker.running  # idle until the process stops, not ended (which would read as failed)
    assert not worker.running
    assert taken.calls == 0


async def _count(taken: Any, count: int) -> list[Any]:
    rows = await taken.rows()
    assert len(rows) <= count, f"more than {count} taken: {len(rows)}"
    return rows if len(rows) == count else []


async def _holds(fact: bool) -> bool:
    return fact
