"""The notification rules the other tests do not drive, each over the real broker as its event arrives
(each event twice): an SLA warning reaches the engineer who holds the ticket and the managers; a vendor's
breach and a missed follow-up reach the managers; a follow-up due reaches the desk that calls; a ticket
nobody can take reaches the managers. Nobody is told twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts import FollowUpDue, FollowUpMissed, SlaVendorBreached, SlaWarning
from shared.contracts.envelope import seal
from shared.contracts.sla import ClockKind, VendorClock
from testkit.broker import event_tap, send_envelopes
from testkit.in_process import RunningService
from testkit.notifying import contact, notifying_suite, open_ticket
from testkit.receivers import MailServer, mail_server
from testkit.samples import again, opened_envelope
from testkit.waiting import eventually, stays
from testkit.world import World


@pytest.fixture
async def mail() -> AsyncIterator[MailServer]:
    async with mail_server() as server:
        yield server


@pytest.fixture
async def suite(seeded: World, mail: MailServer) -> AsyncIterator[tuple[RunningService, RunningService]]:
    async with notifying_suite(seeded, mail) as both:
        yield both


@pytest.fixture
def dispatch(suite: tuple[RunningService, RunningService]) -> RunningService:
    return suite[0]


@pytest.fixture
def notify(suite: tuple[RunningService, RunningService]) -> RunningService:
    return suite[1]


async def test_the_other_rules_each_tell_whom_they_name_once(
    seeded: World, dispatch: RunningService, notify: RunningService, mail: MailServer
) -> None:
    """The rules no other test drives, each over the broker as its event arrives (each twice):
    an SLA warning reaches the engineer who holds the ticket and the managers; a vendor's breach and a
    missed follow-up reach the managers; a follow-up due reaches the desk that calls (the quality desk,
    for a complaint); a ticket nobody can take reaches the managers. Each reaches notify as `notice.decided`, once per event."""
    ticket_id = await open_ticket(seeded, dispatch)
    holder = (await dispatch.http.get(f"/tickets/{ticket_id}")).json()["engineer_id"]  # N01 or N02, by load

    async def assignment_told() -> bool:  # before this test's engineer exists: the assignment is not theirs
        told = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        return any(row["kind"] == "assigned" for row in told)

    await eventually(assignment_told, timeout=30, what="notify has told of the assignment")
    # People of this test's own: earlier tests leave the site's people with choices of their own.
    mine = uuid.uuid4().hex[:6]
    manager, quality, engineer = (f"{who}-{mine}@ntf.example" for who in ("manager", "quality", "engineer"))
    for username, roles, email, engineer_id in (
        (f"m{mine}.ntf1", ["manager"], manager, None),
        (f"q{mine}.ntf1", ["quality"], quality, None),
        (f"e{mine}.ntf1", ["engineer"], engineer, holder),
    ):
        await contact(notify, username, name=username, roles=roles, email=email, engineer_id=engineer_id,
                      language="zh")  # fmt: skip
    try:
        async with event_tap(seeded.amqp_url, "notice.decided") as tap:
            await _each_told_once(seeded, dispatch, mail, ticket_id, manager, quality, engineer)
        # the warning came twice as two messages: decided twice, under one key, told once above
        warned, *again_warned = [
            e["payload"] for e in tap.events("notice.decided", ticket_id) if e["payload"]["kind"] == "sla_warning"
        ]
        assert {w["notice_key"] for w in again_warned} <= {warned["notice_key"]}
        # dispatch named the holder with their duty (NTF1's engineers are always on shift); an office role unsaid
        assert sorted(warned["recipients"], key=lambda r: r["audience"]) == [
            {"audience": "engineer", "who": holder, "on_duty": True},
            {"audience": "managers", "who": None, "on_duty": None},
        ]
    finally:  # the engineer's own contact stays the only one later tests' assignments reach
        await contact(notify, f"e{mine}.ntf1", name="gone", roles=["engineer"], email=engineer, engineer_id=None)


async def _each_told_once(
    seeded: World,
    dispatch: RunningService,
    mail: MailServer,
    ticket_id: str,
    manager: str,
    quality: str,
    engineer: str,
) -> None:
    now = datetime.now(UTC)
    told = [
        seal(event, producer=producer, correlation_id=ticket_id)
        for event, producer in (
            (SlaWarning(ticket_id=ticket_id, clock=ClockKind.RESOLUTION, cycle=1, fraction=0.75,
                        due_at=now + timedelta(hours=2), remaining_minutes=120, warned_at=now), "sla"),
            (SlaVendorBreached(ticket_id=ticket_id, case_number="VC-000042", partner="harman-cn",
                               clock=VendorClock.ACKNOWLEDGE, due_at=now, breached_at=now), "sla"),
            (FollowUpDue(ticket_id=ticket_id, site_code="NTF1", cycle=1, desk="quality",
                         due_at=now + timedelta(days=1)), "dispatch"),
            (FollowUpMissed(ticket_id=ticket_id, site_code="NTF1", cycle=1, due_at=now), "dispatch"),
        )
    ]  # fmt: skip
    nobody_can = f"NTF1-20261127-{uuid.uuid4().hex[:6]}"  # nobody at NTF1 has the skill for signage
    await send_envelopes(
        seeded.amqp_url,
        [*told, *(again(envelope) for envelope in told), opened_envelope(nobody_can, site_code="NTF1",
                                                                          site_name="Test plaza",
                                                                          subsystem="signage")],
    )  # fmt: skip

    expected = {
        engineer: [f"时限预警 {ticket_id}"],
        manager: [
            f"时限预警 {ticket_id}", f"厂商超时 {ticket_id}", f"回访逾期 {ticket_id}", f"无人可派 {nobody_can}"
        ],
        quality: [f"待回访 {ticket_id}"],
    }  # fmt: skip

    def subjects(address: str) -> list[str]:
        return sorted(str(m["Subject"]) for m in mail.to(address))

    async def each_told() -> bool:
        told = {address: subjects(address) for address in expected}
        assert told == {address: sorted(wanted) for address, wanted in expected.items()}, told
        return True

    await eventually(each_told, timeout=30, what=f"each told what they should be: {expected}")
    await stays(each_told, what="nobody told twice")
    [missed] = [m for m in mail.to(manager) if m["Subject"] == f"回访逾期 {ticket_id}"]
    assert "已逾期" in missed.get_content()
    [breached] = [m for m in mail.to(manager) if m["Subject"] == f"厂商超时 {ticket_id}"]
    assert ("harman-cn" in breached.get_content(), "VC-000042" in breached.get_content()) == (True, True)
