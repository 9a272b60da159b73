"""What the hotline keeps of a mail's files: each photo shrunk to travel with its ticket (upright, RGB, at most
1600 px a side, within the message's bound), a picture it cannot read refused before it costs memory, at most
three photos and 10 MB of other files a mail; and the acknowledgement tells the sender what was not kept."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

import pytest
from PIL import Image

from services.intake.mail.domain.keeping import MAX_FILES_BYTES, TOO_BIG_TOGETHER, TOO_MANY_PHOTOS, keep
from services.intake.mail.domain.reading import Attachment
from services.intake.mail.domain.shrinking import MAX_SIDE, NotShrunk, shrunk
from services.intake.mail.replies import NotKept, Thread, acknowledgement
from services.intake.settings import IntakeSettings
from shared.contracts.photos import MAX_PHOTO_BYTES
from testkit.mail_shapes import heic_head, jpeg

ORIENTATION = 0x0112
TURNED_RIGHT = 6  # the phone was held upright: the pixels lie on their side, the tag says turn them


def _camera_photo(width: int, height: int, *, orientation: int | None = None, noise: int = 8) -> bytes:
    """A photo-like JPEG: a gradient (which compresses as a photo does) with a little noise."""
    generator = random.Random(width * height)
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.frombytes("RGB", (width, height), generator.randbytes(width * height * 3))
    picture = Image.blend(gradient, grain, noise / 100)
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_camera_photo_is_turned_upright_and_made_small() -> None:
    original = _camera_photo(4000, 3000, orientation=TURNED_RIGHT)
    small = shrunk(original, max_bytes=MAX_PHOTO_BYTES)
    image = _opened(small)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1200, 1600))  # upright: taller than wide
    assert len(small) <= MAX_PHOTO_BYTES < len(original)
    assert ORIENTATION not in image.getexif()  # turned in its pixels; the phone's tags are not carried over


def test_a_photo_that_compresses_badly_still_fits_the_bound() -> None:
    noisy = jpeg(2400, 1800, seed=7)  # pure noise: about 3 MB even at 1600 px
    small = shrunk(noisy, max_bytes=MAX_PHOTO_BYTES)
    assert len(small) <= MAX_PHOTO_BYTES
    assert max(_opened(small).size) <= MAX_SIDE


def test_a_screenshot_with_transparency_is_shown_on_white() -> None:
    screenshot = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    screenshot.paste((200, 0, 0, 255), (0, 0, 200, 300))
    out = io.BytesIO()
    screenshot.save(out, "PNG")
    image = _opened(shrunk(out.getvalue(), max_bytes=MAX_PHOTO_BYTES))
    assert image.size == (400, 300)
    red, clear = image.getpixel((100, 150)), image.getpixel((300, 150))
    assert isinstance(red, tuple)
    assert isinstance(clear, tuple)
    assert red[0] > 150 > red[1]
    assert min(clear) > 240


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")  # one bit a pixel: small on disk, huge decoded
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (heic_head(), "unreadable"),  # an iPhone's HEIC: Pillow does not read it
        (jpeg(320, 240)[:2000], "unreadable"),  # cut short
        (b"%PDF-1.4 not a picture", "unreadable"),
        (_png(10_000, 8_000), "too_big"),  # 80 MP: refused by its header, never decoded
    ],
    ids=["heic", "cut-short", "not-a-picture", "too-many-pixels"],
)
def test_a_picture_that_cannot_be_a_photo_is_refused_with_why(data: bytes, reason: str) -> None:
    with pytest.raises(NotShrunk) as refused:
        shrunk(data, max_bytes=MAX_PHOTO_BYTES)
    assert refused.value.reason == reason


def _attachment(name: str, data: bytes | None, *, photo: bool, refused: str | None = None) -> Attachment:
    kind = "image/jpeg" if photo else "application/pdf"
    return Attachment(name, kind, len(data or b"") or 12 << 20, data, photo, refused)


def test_three_photos_a_mail_and_ten_megabytes_of_other_files() -> None:
    def shrink(data: bytes) -> bytes:
        if data == b"heic":
            raise NotShrunk("unreadable", "HEIC")
        return b"small " + data

    files = [
        _attachment("1.jpg", b"one", photo=True),
        _attachment("2.heic", b"heic", photo=True),  # not read: does not count among the three
        _attachment("log.pdf", b"x" * (MAX_FILES_BYTES - 10), photo=False),
        _attachment("3.jpg", b"three", photo=True),
        _attachment("4.jpg", b"four", photo=True),
        _attachment("big.zip", None, photo=False, refused="too_big"),  # refused when the mail was read
        _attachment("5.jpg", b"five", photo=True),
        _attachment("more.pdf", b"y" * 11, photo=False),  # with log.pdf over the mail's 10 MB
        _attachment("note.txt", b"z" * 10, photo=False),  # fits exactly
    ]
    kept = keep(files, shrink)
    assert [(k.filename, k.refused_because) for k in kept if k.content is None] == [
        ("2.heic", "unreadable"),
        ("big.zip", "too_big"),
        ("5.jpg", TOO_MANY_PHOTOS),
        ("more.pdf", TOO_BIG_TOGETHER),
    ]
    assert [(k.number, k.content) for k in kept if k.is_photo and k.content] == [
        (0, b"small one"),
        (3, b"small three"),
        (4, b"small four"),
    ]
    assert [k.content_type for k in kept if k.content and not k.is_photo] == ["application/pdf"] * 2


def test_the_acknowledgement_says_which_files_were_not_kept_and_why() -> None:
    thread = Thread("xu@site.example", "徐静", "背景音乐没有声音", "<1@site.example>", ())
    settings = IntakeSettings()
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    not_kept = [NotKept("录像.mp4", "too_big"), NotKept("IMG_5.jpg", TOO_MANY_PHOTOS), NotKept("a.heic", "unreadable")]
    told = acknowledgement(
        thread, ticket_id="T-1", joined=False, site="店", settings=settings, now=now, not_kept=not_kept
    ).get_content()
    assert "以下附件未能保存" in told
    assert "- 录像.mp4：单个文件超过 10 MB" in told
    assert "- IMG_5.jpg：每封邮件最多保存 3 张照片" in told
    assert "- a.heic：文件无法读取" in told
    plain = acknowledgement(thread, ticket_id="T-1", joined=False, site="店", settings=settings, now=now)
    assert "未能保存" not in plain.get_content()
