"""The e-mail hotline end to end: a backlog of mails waiting in a Dovecot mailbox becomes tickets and
notes through intake as it runs (the mailbox worker, reading each mail, deciding what it becomes, the
ticket with its outbox event, the acknowledgement queued and sent to a local SMTP server). First 700 new
mails from 700 of a site's people (Outlook-shaped, naming the background music), then 300 replies to the
acknowledgements of the tickets they opened. Prints mails per second of each and of the 1,000.

    uv run python bench/mail_hotline.py [--new 700] [--replies 300]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from services.intake.mail.tables import mails
from testkit.dovecot import Dovecot, dovecot
from testkit.in_process import RunningService, running
from testkit.mailboxes import mailbox_of
from testkit.mails import outlook_mail
from testkit.receivers import mail_server
from testkit.sites import mail_site
from testkit.waiting import eventually
from testkit.world import World, create_world, destroy_world


async def _site(world: World) -> str:
    with tempfile.TemporaryDirectory() as directory:
        return await mail_site(world, Path(directory))


async def _taken(intake: RunningService, count: int, since: float) -> float:
    """Seconds from `since` until intake has kept `count` mails."""

    async def all_kept() -> bool:
        async with intake.runtime.database.engine.connect() as connection:
            kept = await connection.scalar(select(func.count()).select_from(mails))
        assert kept is not None
        assert kept >= count, kept
        return True

    await eventually(all_kept, timeout=1800, interval=0.2)
    return time.perf_counter() - since


def _new_mail(n: int, domain: str) -> bytes:
    return outlook_mail(
        sender=(f"同事{n}", f"c{n}@{domain}"), quoted=None, subject=f"{n}号店背景音乐没有声音",
        words=f"{n}号店门口的背景音乐没有声音，麻烦派人看看。", message_id=f"<{uuid.uuid4().hex}@{domain}>",
    )  # fmt: skip


async def _statuses(intake: RunningService) -> dict[str, int]:
    async with intake.runtime.database.engine.connect() as connection:
        counted = await connection.execute(select(mails.c.status, func.count()).group_by(mails.c.status))
        return dict(counted.tuples().all())


async def _fill(server: Dovecot, folder: str, mails: list[bytes]) -> None:
    async with server.client() as imap:
        await imap.create(folder)
        for raw in mails:
            await imap.append(folder, raw)


async def main(new: int, replies: int) -> None:
    world = await asyncio.to_thread(create_world)
    try:
        site = await _site(world)
        domain = f"{site.lower()}.example"
        with dovecot() as server:
            async with mail_server() as smtp:
                settings: dict[str, Any] = {
                    "smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none",
                    "mail_from": "热线 <hotline@aftercare.example>", "mailbox_takeover_seconds": 0.2,
                }  # fmt: skip
                first = [_new_mail(n, domain) for n in range(new)]
                await _fill(server, "Backlog", first)
                box = mailbox_of(server, name="service", folder="Backlog", poll_seconds=600)
                started = time.perf_counter()
                async with running(world, "intake", mailboxes=[box], **settings) as suite:
                    intake = suite["intake"]
                    new_seconds = await _taken(intake, new, started)
                    opened = (await intake.http.get("/mail", params={"status": "opened", "limit": 500})).json()
                    answers = [
                        outlook_mail(sender=(m["sender_name"], m["sender"]), subject=f"答复: [工单 {m['ticket_id']}]",
                                     words="补充一下：二楼也没有声音了。", message_id=f"<{uuid.uuid4().hex}@{domain}>",
                                     in_reply_to=f"<ack.{m['ticket_id']}.{uuid.uuid4().hex[:16]}@aftercare.example>")
                        for m in (opened * (replies // max(len(opened), 1) + 1))[:replies]
                    ]  # fmt: skip
                    await server.deliver(*answers, folder="Backlog")
                    started = time.perf_counter()
                    reply_seconds = await _taken(intake, new + replies, started)
                    became = await _statuses(intake)
                total = new + replies
                print(f"e-mail hotline, {new} new mails then {replies} replies, from a Dovecot mailbox through intake:")
                print(f"  new mails -> tickets: {new / new_seconds:,.1f} mails/s ({new_seconds:.1f} s)")
                print(f"  replies -> comments:  {replies / reply_seconds:,.1f} mails/s ({reply_seconds:.1f} s)")
                print(f"  all {total}: {total / (new_seconds + reply_seconds):,.1f} mails/s")
                print(f"  what they became: {became}; acknowledgements sent so far: {len(smtp.messages)}")
    finally:
        await asyncio.to_thread(destroy_world, world)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--new", type=int, default=700)
    parser.add_argument("--replies", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.new, arguments.replies))
