"""The e-mail hotline whole: mails shaped as Outlook, Foxmail, iPhone Mail and a forwarded WeChat chat
send them land in a real IMAP server (Dovecot), and intake, reading it, makes tickets of them at the right
site and system and acknowledges each to its sender; the reply to an acknowledgement joins its ticket; an
auto-reply is kept and never answered; bad mail (broken MIME, an empty body, a 10,000-character subject, an
unknown charset, a 30 MB attachment, a forged From) is kept with what was wrong, and the worker goes on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from testkit.dovecot import Dovecot, dovecot
from testkit.in_process import RunningService, running
from testkit.mail_mime import File
from testkit.mailboxes import mailbox_of
from testkit.mails import build_mail, foxmail_mail, iphone_mail, outlook_mail, wechat_forward
from testkit.receivers import MailServer, mail_server
from testkit.sites import mail_site
from testkit.waiting import eventually
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def imap() -> Iterator[Dovecot]:
    with dovecot() as server:
        yield server


@pytest.fixture
async def smtp() -> AsyncIterator[MailServer]:
    async with mail_server() as server:
        yield server


@pytest.fixture
async def site(seeded: World, tmp_path: Path) -> str:
    """A copy of the demo site whose customer writes from a domain of its own (`<code>.example`)."""
    return await mail_site(seeded, tmp_path)


@pytest.fixture
async def intake(seeded: World, imap: Dovecot, smtp: MailServer, site: str) -> AsyncIterator[RunningService]:
    settings: dict[str, Any] = {
        "mailboxes": [mailbox_of(imap, name="service")], "mailbox_takeover_seconds": 0.2,
        "smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none", "mail_reply_tick_seconds": 0.2,
        "mail_from": "售后服务热线 <hotline@aftercare.example>", "mail_own_addresses": ["hotline@aftercare.example"],
    }  # fmt: skip
    async with running(seeded, "intake", "dispatch", **settings) as suite:
        yield suite["intake"]


def _id() -> str:
    return f"<{uuid.uuid4().hex}@customer.example>"


async def _became(intake: RunningService, message_ids: list[str]) -> dict[str, dict[str, Any]]:
    async def all_taken() -> dict[str, dict[str, Any]]:
        listed = (await intake.http.get("/mail", params={"limit": 500})).json()
        found = {m["message_id"]: m for m in listed if m["message_id"] in message_ids}
        assert len(found) == len(message_ids), sorted(set(message_ids) - set(found))
        return found

    return await eventually(all_taken, timeout=90, what="every mail taken")


async def test_clients_mails_become_tickets_and_replies_join_them(
    site: str, imap: Dovecot, intake: RunningService, smtp: MailServer
) -> None:
    domain = f"{site.lower()}.example"
    customer = ("徐静", f"xu.jing@{domain}")
    ids = [_id() for _ in range(5)]
    await imap.deliver(
        outlook_mail(sender=customer, quoted=None, subject="B1 背景音乐没有声音", message_id=ids[0],
                     words="B1 中庭的背景音乐从早上开始没有声音，麻烦尽快派人看一下。"),
        foxmail_mail(sender=("王五", f"wangwu@{domain}"), quoted=None, subject="3楼大屏黑屏", message_id=ids[1],
                     words="三楼东侧的大屏从中午开始黑屏，重启无效。"),
        iphone_mail(sender=("路人甲", f"p{uuid.uuid4().hex[:6]}@qq.com"), quoted=None, message_id=ids[2],
                    subject=f"[{site}] 中控触摸屏没反应", words="会议室的中控触摸屏点了没有反应。"),
        wechat_forward(sender=customer, message_id=ids[3], chat=(
            ("李工", "13:58", "负一楼的背景音乐有杂音"), ("徐静", "14:01", "我转给售后"))),
        build_mail(sender=customer, subject="自动回复: 休假中", words="我正在休假，12月10日回来。", message_id=ids[4],
                   headers=[("Auto-Submitted", "auto-replied")]),
    )  # fmt: skip
    became = await _became(intake, ids)
    assert [(became[i]["status"], became[i]["why"]) for i in ids] == [
        ("opened", "address"), ("opened", "domain"), ("opened", "subject"), ("opened", "address"),
        ("ignored", "auto_submitted"),
    ]  # fmt: skip
    systems = [(await intake.http.get(f"/tickets/{became[i]['ticket_id']}")).json()["subsystem"] for i in ids[:4]]
    assert systems == ["bgm", "signage", "control", "bgm"]

    async def acknowledged() -> list[EmailMessage]:
        replies = [m for m in smtp.messages if str(m["In-Reply-To"]) in ids]
        assert sorted(str(m["In-Reply-To"]) for m in replies) == sorted(ids[:4]), replies
        return replies

    replies = {str(m["In-Reply-To"]): m for m in await eventually(acknowledged, timeout=30, what="4 replies")}
    first = replies[ids[0]]
    assert (str(first["To"]), first["Auto-Submitted"]) == (customer[1], "auto-replied")
    assert became[ids[0]]["ticket_id"] in first.get_content()

    # Her answer from Outlook, quoting the acknowledgement: her comment on that ticket, no new ticket.
    answer = _id()
    await imap.deliver(
        outlook_mail(sender=customer, subject=f"答复: {first['Subject']}", message_id=answer,
                     words="现在二楼也没有声音了。", in_reply_to=str(first["Message-ID"]),
                     references=[ids[0], str(first["Message-ID"])])
    )  # fmt: skip
    noted = (await _became(intake, [answer]))[answer]
    assert (noted["status"], noted["why"], noted["ticket_id"]) == ("noted", "reference", became[ids[0]]["ticket_id"])
    assert noted["words"].startswith("现在二楼也没有声音了。")
    assert ("原始邮件" in noted["words"], "From:" in noted["words"]) == (False, False)


async def test_bad_mail_is_kept_with_what_was_wrong_and_the_worker_goes_on(
    site: str, imap: Dovecot, intake: RunningService, smtp: MailServer
) -> None:
    known = f"xu.jing@{site.lower()}.example"
    # Each from a colleague of their own (at the customer's domain): one sender's seventh mail within the
    # hour would join their earlier ticket instead (the flood rule).
    senders = [("同事", f"c{n}{uuid.uuid4().hex[:4]}@{site.lower()}.example") for n in range(7)]
    ids = [_id() for _ in range(7)]
    broken = build_mail(
        sender=senders[0],
        subject="背景音乐",
        message_id=ids[0],
        headers=[("Content-Type", 'multipart/mixed; boundary="nowhere"')],
        content=b'Content-Type: multipart/mixed; boundary="elsewhere"\r\n\r\n--nowhere\r\nbroken',
    )
    await imap.deliver(
        broken,
        build_mail(sender=senders[1], subject="背景音乐", words="", plain="", message_id=ids[1]),
        build_mail(sender=senders[2], subject="背景音乐" + "很长" * 5000, message_id=ids[2]),
        build_mail(sender=senders[3], subject="背景音乐有杂音", message_id=ids[3],
                   content=b"Content-Type: text/plain; charset=x-klingon\r\n\r\n" + "背景音乐有杂音".encode("gb18030")),
        build_mail(sender=senders[4], subject="背景音乐 现场录像", message_id=ids[4],
                   files=[File("录像.mp4", "video/mp4", b"\0" * (30 * 1024 * 1024))]),
        build_mail(sender=("徐静", known), subject="背景音乐停了", message_id=ids[5],
                   return_path="<bounce@elsewhere.example>"),
        outlook_mail(sender=senders[6], quoted=None, subject="背景音乐恢复了吗", message_id=ids[6]),
    )  # fmt: skip
    became = await _became(intake, ids)
    assert len(became[ids[2]]["subject"]) <= 300
    assert any(p.startswith("unknown_charset") for p in became[ids[3]]["problems"]), became[ids[3]]
    assert "incomplete" in became[ids[4]]["problems"]  # over INTAKE_MAIL_MAX_BYTES: its header only
    forged = became[ids[5]]
    assert (forged["sender_verified"], forged["status"], forged["why"]) == (False, "unmatched", "sender_unverified")
    assert became[ids[6]]["status"] == "opened"  # after all of them, the worker still takes mail

    async def acknowledged() -> set[str]:
        answered = {str(m["In-Reply-To"]) for m in smtp.messages}
        assert ids[6] in answered, answered
        return answered

    assert ids[5] not in await eventually(acknowledged, timeout=30, what="the good mail acknowledged")
