"""A mail's photos and files, over the real database and broker with intake, dispatch and the archive running:
the photos of a mail that opens a ticket become the ticket's photos in the archive (from the customer,
shrunk), its PDF is kept for the office; of a mail with five photos and a 12 MB video three are kept and the
acknowledgement says which were not and why; a stranger's photo waits with their mail and joins the ticket
the operator makes of it; a photo the archive cannot show is dead-lettered with why."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from services.intake.mail.mailbox_contract import RawMail
from services.intake.mail.taking import Outcome, take_mail
from services.intake.settings import IntakeSettings
from shared.contracts import AddTicketPhoto, RequestChannel, seal
from shared.contracts.photos import PHOTOS_QUEUE
from shared.messaging.dead_letters import list_dead_letters
from shared.messaging.topology import QUEUES_EXCHANGE
from testkit.broker import send
from testkit.in_process import RunningService, running
from testkit.mail_mime import File
from testkit.mail_shapes import pdf
from testkit.mails import build_mail
from testkit.receivers import MailServer, mail_server
from testkit.sites import mail_site
from testkit.waiting import eventually
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
    async with running(seeded, "intake", "dispatch", "archive", **smtp) as suite:
        yield suite


def _photo(number: int, *, width: int = 3000, height: int = 4000) -> File:
    """A phone's photo: a few megapixels of gradient and grain, as it comes out of the camera."""
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width, height), 40 + number).convert("RGB")
    out = io.BytesIO()
    Image.blend(gradient, grain, 0.1).save(out, "JPEG", quality=92)
    return File(f"IMG_{1000 + number}.jpg", "image/jpeg", out.getvalue())


def _mail(sender: str, files: list[File], *, subject: str = "B1 背景音乐没有声音") -> bytes:
    return build_mail(
        sender=("徐静", sender), subject=subject, words=f"{subject}，照片见附件。", files=files,
        date=format_datetime(datetime.now(UTC)), message_id=f"<{uuid.uuid4().hex}@customer.example>",
    )  # fmt: skip


async def _take(intake: RunningService, raw: bytes) -> Outcome:
    settings = intake.runtime.settings
    assert isinstance(settings, IntakeSettings)
    async with intake.runtime.database.unit_of_work() as uow:
        taken = await take_mail(uow, RawMail(raw, len(raw), True), mailbox="service", settings=settings,
                                now=datetime.now(UTC))  # fmt: skip
    assert taken is not None
    return taken


async def _kept_mail(intake: RunningService, sender: str) -> dict[str, Any]:
    [kept] = [m for m in (await intake.http.get("/mail", params={"limit": 500})).json() if m["sender"] == sender]
    return dict(kept)


async def _photos(archive: RunningService, ticket_id: str, count: int) -> list[dict[str, Any]]:
    async def kept() -> list[dict[str, Any]]:
        photos = (await archive.http.get(f"/tickets/{ticket_id}/photos")).json()
        assert len(photos) == count, photos
        return list(photos)

    return await eventually(kept, timeout=30, what=f"{count} photos of {ticket_id} in the archive")


async def test_a_mails_photos_become_its_tickets_and_its_pdf_is_kept(
    site: str, suite: dict[str, RunningService]
) -> None:
    intake, archive = suite["intake"], suite["archive"]
    sender = f"xu.{uuid.uuid4().hex[:6]}@{site.lower()}.example"
    log = pdf("报警记录")
    raw = _mail(sender, [_photo(1), File("报警记录.pdf", "application/pdf", log), _photo(2)])
    opened = await _take(intake, raw)
    assert (opened.status, opened.site_code) == ("opened", site), opened
    assert opened.ticket_id is not None

    photos = await _photos(archive, opened.ticket_id, 2)
    assert {p["kind"] for p in photos} == {"from_customer"}
    assert all((p["width"], p["height"]) == (1200, 1600) for p in photos), photos  # shrunk from 3000x4000
    assert all(sender in p["uploaded_by"] for p in photos), photos

    kept = await _kept_mail(intake, sender)
    assert [(a["filename"], a["kept"], a["refused"]) for a in kept["attachments"]] == [
        ("IMG_1001.jpg", True, None),
        ("报警记录.pdf", True, None),
        ("IMG_1002.jpg", True, None),
    ]
    served = await intake.http.get(f"/mail/{kept['mail_id']}/attachments/1")
    assert served.status_code == 200, served.text
    assert (served.content, served.headers["content-type"]) == (log, "application/pdf")
    photo = await intake.http.get(f"/mail/{kept['mail_id']}/attachments/0")
    assert Image.open(io.BytesIO(photo.content)).size == (1200, 1600)
    missing = await intake.http.get(f"/mail/{kept['mail_id']}/attachments/7")
    assert (missing.status_code, missing.json()["error"]) == (404, "unknown_file")


async def test_three_photos_a_mail_and_the_sender_told_what_was_not_kept(
    site: str, suite: dict[str, RunningService], mail: MailServer
) -> None:
    intake, archive = suite["intake"], suite["archive"]
    sender = f"xu.{uuid.uuid4().hex[:6]}@{site.lower()}.example"
    video = File("现场录像.mp4", "video/mp4", bytes(range(256)) * (12 * 1024 * 4))  # 12 MB
    photos = [_photo(n, width=900, height=1200) for n in range(1, 6)]
    opened = await _take(intake, _mail(sender, [*photos, video]))
    assert opened.status == "opened", opened
    assert opened.ticket_id is not None
    await _photos(archive, opened.ticket_id, 3)

    kept = await _kept_mail(intake, sender)
    assert [(a["filename"], a["refused"]) for a in kept["attachments"] if not a["kept"]] == [
        ("IMG_1004.jpg", "too_many_photos"),
        ("IMG_1005.jpg", "too_many_photos"),
        ("现场录像.mp4", "too_big"),
    ]

    async def acknowledged() -> EmailMessage:
        [reply] = mail.to(sender)
        return reply

    told = (await eventually(acknowledged, timeout=20, what="the acknowledgement")).get_content()
    assert "以下附件未能保存" in told, told
    assert "- IMG_1004.jpg：每封邮件最多保存 3 张照片" in told
    assert "- IMG_1005.jpg：每封邮件最多保存 3 张照片" in told
    assert "- 现场录像.mp4：单个文件超过 10 MB" in told
    assert "IMG_1001" not in told


async def test_a_strangers_photo_joins_the_ticket_the_operator_makes_of_their_mail(
    site: str, suite: dict[str, RunningService]
) -> None:
    intake, archive = suite["intake"], suite["archive"]
    stranger = f"s{uuid.uuid4().hex[:6]}@qq.com"
    waiting = await _take(intake, _mail(stranger, [_photo(3, width=600, height=800)], subject="音响有杂音"))
    assert waiting.status == "unmatched", waiting
    mail_id = (await _kept_mail(intake, stranger))["mail_id"]
    made = await intake.http.post(f"/mail/{mail_id}/ticket", json={"site_code": site, "subsystem": "av"})
    assert made.status_code == 200, made.text
    [photo] = await _photos(archive, made.json()["ticket_id"], 1)
    assert (photo["kind"], photo["width"], photo["height"]) == ("from_customer", 600, 800)


async def test_a_photo_the_archive_cannot_show_is_dead_lettered_with_why(
    seeded: World, suite: dict[str, RunningService]
) -> None:
    ticket_id = f"T-{uuid.uuid4().hex[:8]}"
    bad = AddTicketPhoto(ticket_id=ticket_id, photo=b"\xff\xd8\xff not really a JPEG", taken_at=datetime.now(UTC),
                         sender="someone", channel=RequestChannel.EMAIL)  # fmt: skip
    envelope = seal(bad, producer="intake", correlation_id=ticket_id)
    body, message_id = envelope.model_dump_json().encode(), str(envelope.message_id)
    await send(seeded.amqp_url, body, routing_key=PHOTOS_QUEUE, exchange=QUEUES_EXCHANGE, message_id=message_id)

    async def dead() -> list[Any]:
        letters = [d for d in await list_dead_letters(seeded.amqp_url, PHOTOS_QUEUE) if d.message_id == message_id]
        assert letters
        return letters

    [letter] = await eventually(dead, timeout=20, what="the photo dead-lettered")
    assert letter.reason == "not_a_photo", letter
