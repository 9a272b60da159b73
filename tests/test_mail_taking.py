"""What mails to the service mailbox become, over the real database and broker, with intake and dispatch
running and a local mail server for the acknowledgements: a new mail from a site's representative opens a
ticket (channel email) and its sender is told its number in a reply threaded under their mail; their reply
to that becomes their comment on the ticket, not another ticket; the same mail again is taken once; a
machine's mail is kept and never answered; a stranger's waits for the operator, who makes a ticket of it,
adds one to a ticket or dismisses one; a flood is grouped onto the sender's ticket, then held back."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from services.intake.mail.mailbox_contract import MailboxPosition, RawMail
from services.intake.mail.taking import Outcome, take_mail
from services.intake.settings import IntakeSettings
from testkit.broker import event_tap
from testkit.in_process import RunningService, running
from testkit.receivers import MailServer, mail_server
from testkit.sites import mail_site
from testkit.waiting import eventually, stays
from testkit.world import World

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
async def mail() -> AsyncIterator[MailServer]:
    async with mail_server() as server:
        yield server


@pytest.fixture
async def site(seeded: World, tmp_path: Path) -> str:
    """A copy of the demo site whose customer writes from a domain of its own (`<code>.example`)."""
    return await mail_site(seeded, tmp_path)


@pytest.fixture
async def suite(seeded: World, mail: MailServer) -> AsyncIterator[dict[str, RunningService]]:
    smtp = {"smtp_host": mail.host, "smtp_port": mail.port, "smtp_security": "none", "mail_reply_tick_seconds": 0.2}
    async with running(seeded, "intake", "dispatch", **smtp, mail_from="热线 <hotline@aftercare.example>") as suite:
        yield suite


def _mail(sender: str, subject: str, words: str, **headers: str) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "hotline@aftercare.example", subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id = make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(words, charset="gb18030")
    return message.as_bytes(), message_id


async def _take(intake: RunningService, raw: bytes, **settings: Any) -> Outcome | None:
    runtime = intake.runtime
    chosen = runtime.settings.model_copy(update=settings) if settings else runtime.settings
    assert isinstance(chosen, IntakeSettings)
    position = MailboxPosition("service", "INBOX", 1, 1)
    async with runtime.database.unit_of_work() as uow:
        return await take_mail(uow, RawMail(raw, len(raw), True), mailbox=position.mailbox, settings=chosen,
                               now=datetime.now(UTC))  # fmt: skip


async def test_a_customer_mail_opens_a_ticket_is_acknowledged_and_their_reply_joins_it(
    site: str, suite: dict[str, RunningService], mail: MailServer
) -> None:
    intake, dispatch = suite["intake"], suite["dispatch"]
    customer = f"xu.jing@{site.lower()}.example"
    raw, first_id = _mail(f"徐静 <{customer}>", "B1 背景音乐没有声音", "B1 中庭背景音乐从早上开始没有声音。\n\n徐静")
    opened = await _take(intake, raw)
    assert opened is not None
    assert (opened.status, opened.why, opened.site_code) == ("opened", "address", site), opened
    assert opened.ticket_id is not None
    ticket = (await intake.http.get(f"/tickets/{opened.ticket_id}")).json()
    assert (ticket["channel"], ticket["subsystem"], ticket["reporter"]["email"]) == ("email", "bgm", customer)
    assert await _take(intake, raw) is None  # the same mail again (another mailbox, a new UIDVALIDITY)

    async def acknowledged() -> EmailMessage:
        replies = mail.to(customer)
        assert len(replies) == 1, replies
        return replies[0]

    reply = await eventually(acknowledged, timeout=20, what="the acknowledgement sent")
    assert opened.ticket_id in str(reply["Subject"])
    assert (reply["In-Reply-To"], reply["Auto-Submitted"]) == (first_id, "auto-replied")
    assert f"服务工单 {opened.ticket_id}" in reply.get_content()
    assert re.fullmatch(rf"<ack\.{opened.ticket_id}\.[0-9a-f]+@aftercare\.example>", str(reply["Message-ID"]))

    # Their reply to the acknowledgement (a new subject, no number in it) is their comment on the ticket.
    answer, _ = _mail(customer, "补充", "现在二楼也没有声音了。\n\n在 2026年12月7日 写道：\n> 您的邮件已收到",
                      In_Reply_To=str(reply["Message-ID"]), References=f"{first_id} {reply['Message-ID']}")  # fmt: skip
    noted = await _take(intake, answer)
    assert noted is not None
    assert (noted.status, noted.why, noted.ticket_id) == ("noted", "reference", opened.ticket_id)

    async def commented() -> list[dict[str, Any]]:
        history = (await dispatch.http.get(f"/tickets/{opened.ticket_id}/history")).json()
        comments = [h for h in history if h["action"] == "comment"]
        assert comments, history
        return comments

    [comment] = await eventually(commented, timeout=20, what="the reply as the customer's comment")
    assert comment["note"] == "现在二楼也没有声音了。"
    assert len(mail.to(customer)) == 1  # a reply is not acknowledged: no ping-pong

    # A stranger's made-up reference to the same ticket waits for the operator: a reference proves nothing.
    forged_reference = f"<ack.{opened.ticket_id}.0123456789abcdef@aftercare.example>"
    stranger, _ = _mail("someone@evil.example", "请先付款", "请拨打 400 付款后才能维修", In_Reply_To=forged_reference)
    refused = await _take(intake, stranger)
    assert refused is not None
    assert (refused.status, refused.why, refused.ticket_id) == (
        "unmatched",
        "ticket_named_by_stranger",
        opened.ticket_id,
    )


async def test_machines_strangers_and_floods(
    seeded: World, site: str, suite: dict[str, RunningService], mail: MailServer
) -> None:
    intake = suite["intake"]
    bounce, _ = _mail("MAILER-DAEMON@mx.example", "Undelivered Mail Returned to Sender", "...",
                      Auto_Submitted="auto-replied")  # fmt: skip
    out_of_office, _ = _mail(f"xu.jing@{site.lower()}.example", "自动回复: 休假中", "我正在休假",
                             Auto_Submitted="auto-replied")  # fmt: skip
    for raw in (bounce, out_of_office):
        ignored = await _take(intake, raw)
        assert ignored is not None
        assert (ignored.status, ignored.ticket_id) == ("ignored", None)

    stranger = f"s{uuid.uuid4().hex[:6]}@qq.com"
    waiting = [await _take(intake, _mail(stranger, f"问题 {n}", f"音响有杂音 {n}")[0]) for n in range(3)]
    assert [w.status if w else None for w in waiting] == ["unmatched"] * 3
    listed = (await intake.http.get("/mail", params={"status": "unmatched", "limit": 500})).json()
    ids = [m["mail_id"] for m in listed if m["sender"] == stranger]
    assert len(ids) == 3
    made = await intake.http.post(f"/mail/{ids[-1]}/ticket", json={"site_code": site, "subsystem": "av"})
    assert made.status_code == 200, made.text
    ticket_id = made.json()["ticket_id"]
    added = await intake.http.post(f"/mail/{ids[-2]}/add-to-ticket", json={"ticket_id": ticket_id})
    dismissed = await intake.http.post(f"/mail/{ids[-3]}/dismiss", json={"reason": "广告"})
    again = await intake.http.post(f"/mail/{ids[-3]}/dismiss", json={"reason": "again"})
    assert (added.status_code, dismissed.status_code, again.status_code) == (200, 200, 409)
    assert again.json()["error"] == "already_placed", again.text
    await eventually(lambda: _told(mail, stranger, ticket_id), timeout=20, what="the stranger acknowledged")

    # A flood from one address: tickets at first, then noted on the latest, then only kept.
    flooder = f"flood{uuid.uuid4().hex[:6]}@{site.lower()}.example"
    async with event_tap(seeded.amqp_url, "mail.flood_held") as tap:
        taken = [
            await _take(intake, _mail(flooder, f"背景音乐 {n}", f"背景音乐问题 {n}")[0], mail_group_after=2,
                        mail_throttle_after=4)
            for n in range(6)
        ]  # fmt: skip

        async def announced_once() -> bool:  # notify tells the managers of it (services/notify/tests)
            held = [e["payload"] for e in tap.events("mail.flood_held") if e["payload"]["sender"] == flooder]
            assert [(h["site_code"], h["count"]) for h in held] == [(site, 5)], held
            return True

        await eventually(announced_once, timeout=20, what="the flood announced")
        await stays(announced_once, seconds=1, what="once")
    assert [t.status if t else None for t in taken] == [
        "opened",
        "opened",
        "grouped",
        "grouped",
        "throttled",
        "throttled",
    ]
    assert {t.ticket_id for t in taken[2:4] if t} == {taken[1].ticket_id if taken[1] else None}


async def _told(mail: MailServer, address: str, ticket_id: str) -> bool:
    return any(ticket_id in str(m["Subject"]) for m in mail.to(address))
