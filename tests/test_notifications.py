"""Notifications to people over the real broker and database, sent to a local mail server (aiosmtpd), a
local group robot and a recording text message provider: an assignment reaches its engineer, a
reassignment both engineers; a breach told twice reaches the manager and the quality desk once and
wakes them, while a warning waits out quiet hours; a robot that refuses is tried again; a low score and
a paused webhook are told; each person keeps their own choices (test_notification_rules.py: the other
rules)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import (
    FollowUpRecorded,
    SlaBreached,
    SlaWarning,
)
from shared.contracts.envelope import seal
from shared.contracts.sla import ClockKind
from shared.contracts.webhooks import WebhookPaused
from shared.identity import Role
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService
from testkit.notifying import contact, notifying_suite, open_ticket
from testkit.receivers import MailServer, Receiver, RecordedSms, http_receiver, mail_server
from testkit.samples import again
from testkit.waiting import eventually, stays
from testkit.world import World

MANAGER = bearer("ntf.manager", Role.MANAGER)


@pytest.fixture
async def mail() -> AsyncIterator[MailServer]:
    async with mail_server() as server:
        yield server


@pytest.fixture
async def robot() -> AsyncIterator[Receiver]:
    async with http_receiver("/cgi-bin/webhook/send") as receiver:
        receiver.body = '{"errcode": 0, "errmsg": "ok"}'
        yield receiver


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


async def _told(notify: RunningService, ticket_id: str, count: int, status: str = "sent") -> list[dict[str, Any]]:
    async def settled() -> list[dict[str, Any]]:
        rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        assert len([r for r in rows if r["status"] == status]) >= count, rows
        return list(rows)

    return await eventually(settled, timeout=20, what=f"{count} notifications {status}")


async def test_an_assignment_reaches_its_engineer_and_a_reassignment_both_engineers(
    seeded: World, dispatch: RunningService, notify: RunningService, mail: MailServer, robot: Receiver
) -> None:
    for username, engineer, phone in (("n01.ntf1", "N01", "+86 139 0000 0001"), ("n02.ntf1", "N02", None)):
        await contact(
            notify, username, name=engineer, roles=["engineer"], engineer_id=engineer, phone=phone,
            email=f"{engineer.lower()}@ntf.example", robot={"kind": "wecom", "url": robot.url}, language="en",
        )  # fmt: skip
    ticket_id = await open_ticket(seeded, dispatch)
    await _told(notify, ticket_id, 2)
    [to_owner] = mail.to("n01@ntf.example")
    assert to_owner["Subject"] == f"Assigned to you: {ticket_id}"
    assert f"http://console.test/field/tickets/{ticket_id}" in to_owner.get_content()
    [(_, posted)] = robot.received
    said = json.loads(posted)
    assert said["msgtype"] == "text"
    assert said["text"]["mentioned_mobile_list"] == ["13900000001"]
    assert ticket_id in said["text"]["content"]

    moved = await dispatch.http.post(
        f"/tickets/{ticket_id}/assign", json={"engineer_id": "N02", "reason": "N01 is on leave"}
    )
    assert moved.status_code == 200, moved.text
    rows = await _told(notify, ticket_id, 6)
    told = {(r["username"], r["kind"], r["channel"]) for r in rows}
    assert ("n02.ntf1", "assigned", "email") in told
    assert ("n01.ntf1", "taken_off", "robot") in told
    [taken_off] = [m for m in mail.to("n01@ntf.example") if "reassigned" in m["Subject"]]
    assert "now goes to Second Two" in taken_off.get_content()
    assert "N01 is on leave" in taken_off.get_content()


async def test_a_breach_told_twice_wakes_the_manager_and_quality_desk_once_and_a_warning_waits(
    seeded: World, dispatch: RunningService, notify: RunningService, mail: MailServer
) -> None:
    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    quiet = f"{(local - timedelta(hours=1)):%H:%M}-{(local + timedelta(hours=1)):%H:%M}"  # it is quiet time now
    await contact(
        notify, "ntf.manager", name="Manager Ma", roles=["manager"], phone="+86 139 0000 0100",
        email="manager@ntf.example", quiet_hours=quiet, channels={"sla_breached": ["email", "sms"]},
    )  # fmt: skip
    await contact(notify, "ntf.quality", name="Quality Qu", roles=["quality"], email="quality@ntf.example")
    ticket_id = await open_ticket(seeded, dispatch)
    now = datetime.now(UTC)
    breach = seal(
        SlaBreached(ticket_id=ticket_id, clock=ClockKind.ON_SITE, cycle=1, due_at=now, target_minutes=240,
                    breached_at=now),
        producer="sla", correlation_id=ticket_id,
    )  # fmt: skip
    warning = seal(
        SlaWarning(ticket_id=ticket_id, clock=ClockKind.RESOLUTION, cycle=1, fraction=0.75, due_at=now,
                   remaining_minutes=120, warned_at=now),
        producer="sla", correlation_id=ticket_id,
    )  # fmt: skip
    await send_envelopes(seeded.amqp_url, [breach, breach, again(breach), warning])

    await eventually(lambda: _mailed(mail, "quality@ntf.example", 1), timeout=20, what="the quality desk's e-mail")
    await eventually(lambda: _mailed(mail, "manager@ntf.example", 1), timeout=20, what="the manager's e-mail")

    async def each_mailed_once() -> bool:
        return len(mail.to("manager@ntf.example")) == len(mail.to("quality@ntf.example")) == 1

    await stays(each_mailed_once, what="no second copy of the breach's e-mails")
    assert [m["Subject"] for m in mail.to("manager@ntf.example")] == [f"时限超时 {ticket_id}"]
    [texted] = [text for phone, text in RecordedSms.sent if phone == "+86 139 0000 0100" and ticket_id in text]
    assert texted.startswith(f"【Aftercare】时限超时 {ticket_id}")

    rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
    [waiting] = [r for r in rows if r["kind"] == "sla_warning" and r["username"] == "ntf.manager"]
    assert waiting["status"] == "pending"
    ends = (local + timedelta(hours=1)).replace(second=0, microsecond=0)
    assert datetime.fromisoformat(waiting["send_after"]) == ends
    assert not [m for m in mail.to("manager@ntf.example") if "预警" in m["Subject"]]


async def _mailed(mail: MailServer, address: str, count: int) -> bool:
    return len(mail.to(address)) >= count


async def test_a_robot_that_refuses_is_tried_again_and_each_try_recorded(
    seeded: World, dispatch: RunningService, notify: RunningService, robot: Receiver
) -> None:
    robot.body = '{"errcode": 93000, "errmsg": "invalid webhook url"}'
    await contact(
        notify, "n01.ntf1", name="N01", roles=["engineer"], engineer_id="N01",
        robot={"kind": "dingtalk", "url": robot.url + "?access_token=t", "secret": "SECtest"},
        channels={"assigned": ["robot"]},
    )  # fmt: skip
    await contact(notify, "n02.ntf1", name="N02", roles=["engineer"], engineer_id="N02", channels={"assigned": []})
    ticket_id = await open_ticket(seeded, dispatch)

    async def refused_once() -> dict[str, Any]:
        rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        assert len(rows) == 1, rows  # none yet while the assignment is on its way
        row = rows[0]
        assert row["attempts"] == 1
        return dict(row)

    refused = await eventually(refused_once, timeout=60, what="the first try")  # after any backlog of earlier tests
    assert refused["status"] == "pending"
    assert refused["last_error"] == "robot refused: 93000 invalid webhook url"
    _, body = robot.received[0]
    assert json.loads(body)["at"] == {"atMobiles": ["13900000001"]}  # the phone the site file gives
    query = urllib.parse.parse_qs(robot.queries[0])  # signed as DingTalk's 加签 asks
    assert query["access_token"] == ["t"]
    expected = hmac.new(b"SECtest", f"{query['timestamp'][0]}\nSECtest".encode(), hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(expected).decode()]
    robot.body = '{"errcode": 0, "errmsg": "ok"}'
    [sent] = await _told(notify, ticket_id, 1)  # the first retry comes 10 s later
    assert sent["attempts"] == 2
    assert sent["last_error"] is None
    contacts = (await notify.http.get("/contacts")).json()
    shown = next(c for c in contacts if c["username"] == "n01.ntf1")
    assert (shown["robot_secret"], shown["robot_url"]) == ("set", robot.url + "?…")  # the key stays hidden
    assert sent["address"] is None  # a ticket's list names no addresses


async def test_one_notification_that_cannot_go_fails_alone_and_the_others_go_once(
    seeded: World, dispatch: RunningService, notify: RunningService
) -> None:
    await contact(
        notify, "n01.ntf1", name="N01", roles=["engineer"], engineer_id="N01", phone="+86 139 0000 0001",
        robot={"kind": "wecom", "url": "http://[::1"}, channels={"assigned": ["robot", "sms"]},
    )  # fmt: skip
    await contact(notify, "n02.ntf1", name="N02", roles=["engineer"], engineer_id="N02", channels={"assigned": []})
    ticket_id = await open_ticket(seeded, dispatch)
    rows = await _told(notify, ticket_id, 1)

    async def texted_once() -> bool:  # the sender ticks every 0.2 s: a batch rolled back would send it again
        return len([text for _, text in RecordedSms.sent if ticket_id in text]) == 1

    await stays(texted_once, what="the text sent once though the robot beside it failed")
    rows = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
    [robot_row] = [r for r in rows if r["channel"] == "robot"]
    assert robot_row["status"] == "pending"
    assert robot_row["last_error"].startswith("InvalidURL")


async def test_a_low_score_reaches_the_quality_desk_and_a_paused_webhook_its_owner(
    seeded: World, dispatch: RunningService, notify: RunningService, mail: MailServer
) -> None:
    await contact(notify, "ntf.quality", name="Quality Qu", roles=["quality"], email="quality@ntf.example")
    await contact(notify, "ntf.customer", name="Customer Cu", roles=["customer"], email="customer@ntf.example")
    ticket_id = await open_ticket(seeded, dispatch)
    now = datetime.now(UTC)

    def call(score: int) -> Any:
        return seal(
            FollowUpRecorded(ticket_id=ticket_id, site_code="NTF1", cycle=1, attempt=score, reached=True,
                             satisfaction=score, comments="Music still cuts out", caller="ntf.manager", called_at=now,
                             outcome="dissatisfied", late=False),
            producer="dispatch", correlation_id=ticket_id,
        )  # fmt: skip

    def paused(owner: str) -> Any:
        event = WebhookPaused(subscription_id=str(uuid.uuid4()), site_code="NTF1", url="https://bms.example/hook",
                              owner=owner, why="gave up after 13 attempts", paused_at=now)  # fmt: skip
        return seal(event, producer="webhooks", correlation_id=event.subscription_id)

    await send_envelopes(seeded.amqp_url, [call(4), call(1), paused("ntf.customer"), paused("someone.unknown")])
    await eventually(lambda: _mailed(mail, "customer@ntf.example", 1), timeout=20, what="the owner's e-mail")
    await eventually(lambda: _mailed(mail, "quality@ntf.example", 1), timeout=20, what="the quality desk")
    [low] = mail.to("quality@ntf.example")
    assert low["Subject"] == f"满意度低 {ticket_id}"
    assert "满意度为 1 分" in low.get_content()
    assert "Music still cuts out" in low.get_content()
    [hook] = mail.to("customer@ntf.example")
    assert "https://bms.example/hook" in hook.get_content()
    assert "http://console.test/hooks" in hook.get_content()
    nobody = await notify.http.get("/notifications", params={"status": "failed", "username": "(someone.unknown)"})
    [unsent] = nobody.json()
    assert unsent["last_error"] == "nobody to tell: no contact for someone.unknown at NTF1"


async def test_a_person_keeps_their_own_choices_and_only_an_administrator_their_contact(
    notify: RunningService,
) -> None:
    mine = await notify.http.get("/me/notifications", headers=MANAGER)
    assert mine.status_code == 200, mine.text
    assert "sla_breached" in mine.json()["kinds"]
    chosen = {"language": "en", "timezone": "Europe/Berlin", "quiet_hours": "21:00-06:00",
              "channels": {"follow_up_due": ["email"], "sla_warning": []}}  # fmt: skip
    answer = await notify.http.put("/me/notifications", json=chosen, headers=MANAGER)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in chosen} == chosen
    for wrong, says in (
        ({"channels": {"breach": ["sms"]}}, "unknown kind of notice"),
        ({"channels": {"assigned": ["fax"]}}, "Input should be 'email', 'robot', 'sms' or 'wecom'"),
        ({"quiet_hours": "late"}, "HH:MM-HH:MM"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ):
        refused = await notify.http.put("/me/notifications", json=wrong, headers=MANAGER)
        assert refused.status_code == 422
        assert says in refused.text
    stranger = await notify.http.get("/me/notifications", headers=bearer("nobody", Role.OPERATOR))
    assert stranger.status_code == 404
    assert "ask an administrator" in stranger.json()["message"]
    not_theirs = await notify.http.put("/contacts/ntf.manager", json={"name": "X", "roles": ["admin"]}, headers=MANAGER)
    assert not_theirs.status_code == 403


async def test_an_engineer_on_duty_is_told_of_their_work_at_once_whatever_their_quiet_hours(
    seeded: World, dispatch: RunningService, notify: RunningService, mail: MailServer
) -> None:
    """The 7x24 promise: NTF1's engineers are always on shift, so their quiet hours hold nothing back."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    quiet = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=1)):%H:%M}"  # it is quiet time now
    for username, engineer in (("n01.ntf1", "N01"), ("n02.ntf1", "N02")):
        await contact(
            notify, username, name=engineer, roles=["engineer"], engineer_id=engineer,
            email=f"{engineer.lower()}@ntf.example", quiet_hours=quiet, channels={"assigned": ["email"]},
        )  # fmt: skip
    ticket_id = await open_ticket(seeded, dispatch)
    [told] = [r for r in await _told(notify, ticket_id, 1) if (r["kind"], r["channel"]) == ("assigned", "email")]
    waited = datetime.fromisoformat(told["sent_at"]) - datetime.fromisoformat(told["created_at"]) < timedelta(hours=1)
    assert (told["status"], waited) == ("sent", True)  # not when their quiet hours end
    assert [m for m in mail.to(f"{told['username'][:3]}@ntf.example") if ticket_id in m["Subject"]]
