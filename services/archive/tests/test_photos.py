"""Photos from the engineer's phone: which pictures are taken, who may add them to a ticket (over the
real broker and database), and the on-site service report that names them by hash and shows them."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from services.archive.domain.photos import PhotoKind, checked
from services.archive.domain.records import drafts_of
from services.archive.domain.story import Site, Story
from services.archive.rendering import Renderer, Sheet
from services.archive.settings import ArchiveSettings
from shared.contracts import TicketAssigned, TicketResolved, seal
from shared.identity import Role
from shared.refusals import Refused
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import opened_envelope, ticket_opened
from testkit.waiting import eventually
from testkit.world import World

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SITE = Site("HH138", "Infinity Mall, 138 Huaihai Middle Road", "Asia/Shanghai")


def _picture(width: int = 320, height: int = 240, kind: str = "JPEG", colour: str = "steelblue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind)
    return out.getvalue()


def test_what_a_photo_may_be() -> None:
    photo = checked(_picture(), PhotoKind.BEFORE, T0)
    assert (photo.media_type, photo.width, photo.height, len(photo.sha256)) == ("image/jpeg", 320, 240, 64)
    assert checked(_picture(kind="PNG"), PhotoKind.LABEL, T0).media_type == "image/png"
    for content, reason in (
        (b"not a picture", "not_a_photo"),
        (_picture(kind="GIF"), "not_a_photo"),
        (_picture(5000, 100), "photo_too_large"),
        (_picture(640, 480)[:4000], "not_a_photo"),  # a JPEG cut short
    ):
        with pytest.raises(Refused) as refused:
            checked(content, PhotoKind.AFTER, T0)
        assert refused.value.reason == reason


def test_the_service_report_names_its_photos_by_hash_and_shows_them() -> None:
    opened = ticket_opened("HH138-20261125-0077", reported_at=T0)
    resolved = TicketResolved(
        ticket_id=opened.ticket_id, engineer_id="E01", summary="Fuse replaced", resolved_at=T0 + timedelta(hours=1)
    )
    photos = [
        checked(_picture(colour="gray"), PhotoKind.BEFORE, T0 + timedelta(minutes=30)),
        checked(_picture(colour="green"), PhotoKind.AFTER, T0 + timedelta(minutes=55)),
    ]
    later = checked(_picture(colour="red"), PhotoKind.BEFORE, T0 + timedelta(hours=5))  # after a reopening
    [report] = drafts_of(resolved, Story.of([opened, resolved]), SITE, [*photos, later])
    assert report.content["photos"] == [
        {"kind": "before", "taken_at": "2026-11-25T09:30:00+08:00", "sha256": photos[0].sha256},
        {"kind": "after", "taken_at": "2026-11-25T09:55:00+08:00", "sha256": photos[1].sha256},
    ]
    assert report.images == {"photo_1": photos[0].content, "photo_2": photos[1].content}
    sheet = Sheet(
        form=report.form, code="HH138-2026-RPT-000077", version=1, site_code="HH138", site_name=SITE.name,
        timezone=SITE.timezone, archived_at=T0, sha256=report.sha256, content=report.content, images=report.images,
    )  # fmt: skip
    pdf = Renderer(ArchiveSettings().font_paths)._typeset(sheet)
    listed = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True, timeout=30)
    assert len(listed.stdout.decode().splitlines()[2:]) == 2  # poppler: the two photos, under its header


@pytest.fixture
async def archive(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "archive") as suite:
        yield suite["archive"]


async def test_the_assigned_engineer_adds_photos_to_the_ticket(seeded: World, archive: RunningService) -> None:
    opened = opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
    ticket = opened.payload.ticket_id
    assigned = TicketAssigned(
        ticket_id=ticket, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="王磊", rule="subsystem_owner",
        assigned_at=datetime.now(UTC),
    )  # fmt: skip
    await send_envelopes(seeded.amqp_url, [opened, seal(assigned, producer="dispatch", correlation_id=ticket)])
    engineer = bearer("wang.lei", Role.ENGINEER, engineer_id="E01")

    async def added() -> dict:
        answer = await archive.http.post(
            f"/tickets/{ticket}/photos", params={"kind": "before"}, content=_picture(),
            headers={**engineer, "Content-Type": "image/jpeg"},
        )  # fmt: skip
        assert answer.status_code == 201, answer.text  # the ticket's events may still be on their way
        return dict(answer.json())

    first = await eventually(added, timeout=20)
    again = await archive.http.post(
        f"/tickets/{ticket}/photos",
        params={"kind": "before"},
        content=_picture(),
        headers={**engineer, "Content-Type": "image/jpeg"},
    )
    assert again.json()["id"] == first["id"]  # the same picture is kept once
    other = await archive.http.post(
        f"/tickets/{ticket}/photos", params={"kind": "after"}, content=_picture(),
        headers={**bearer("li.na", Role.ENGINEER, engineer_id="E02"), "Content-Type": "image/jpeg"},
    )  # fmt: skip
    assert (other.status_code, other.json()["error"]) == (403, "not_your_ticket")
    broken = await archive.http.post(
        f"/tickets/{ticket}/photos",
        params={"kind": "after"},
        content=b"\xff\xd8\xff broken",
        headers={**engineer, "Content-Type": "image/jpeg"},
    )
    assert (broken.status_code, broken.json()["error"]) == (422, "not_a_photo")
    listed = (await archive.http.get(f"/tickets/{ticket}/photos")).json()
    assert [(p["kind"], p["sha256"], p["width"]) for p in listed] == [("before", first["sha256"], 320)]
