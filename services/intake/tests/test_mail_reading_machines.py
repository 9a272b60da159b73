"""Machines' mail recognised so that it is never answered, forged senders marked, and which files become
the ticket's photos (within the limits)."""

import pytest

from services.intake.mail.domain.attachments import SMALL_INLINE_BYTES, picture_kind
from services.intake.mail.domain.reading import ReadingLimits, read_mail
from testkit import mail_machines, mail_shapes, mails
from testkit.mail_mime import File


@pytest.mark.parametrize("kind", list(mail_machines.AUTO_REPLIES))
def test_auto_replies_are_automatic(kind: str) -> None:
    expected = "auto_submitted" if kind.startswith("auto_") else "auto_reply"
    assert read_mail(mail_machines.auto_reply(kind)).automatic == expected


@pytest.mark.parametrize("kind", list(mail_machines.LISTS))
def test_lists_and_bulk_mail_are_automatic(kind: str) -> None:
    expected = "bulk" if kind in ("precedence_bulk", "precedence_junk") else "mailing_list"
    assert read_mail(mail_machines.list_mail(kind)).automatic == expected


@pytest.mark.parametrize("kind", ["dsn", "mailer_daemon", "null_sender"])
def test_bounces_are_automatic(kind: str) -> None:
    mail = read_mail(mail_machines.bounce(kind=kind))

    assert mail.automatic == "bounce"


def test_a_delivery_report_keeps_its_explanation() -> None:
    mail = read_mail(mail_machines.bounce(original_to="gone@customer.example"))

    assert "gone@customer.example" in mail.words
    assert mail.return_path == ""


def test_a_read_receipt_is_automatic() -> None:
    assert read_mail(mail_machines.read_receipt()).automatic == "read_receipt"


@pytest.mark.parametrize(
    "raw",
    [
        mails.build_mail(headers=[("Auto-Submitted", "no")]),
        mails.build_mail(subject="休假期间3号楼UPS报警", headers=[("Precedence", "first-class")]),
        mails.build_mail(subject="回复: 自动回复功能坏了"),
        mails.outlook_mail(),
    ],
    ids=["auto-submitted-no", "holiday-in-subject", "auto-reply-mentioned-later", "outlook-reply"],
)
def test_people_writing_are_not_taken_for_machines(raw: bytes) -> None:
    assert read_mail(raw).automatic is None


def test_a_known_contacts_from_with_a_foreign_return_path_is_unverified_but_kept() -> None:
    mail = read_mail(mail_machines.forged_mail())

    assert mail.sender.email == "boss@customer.example"
    assert mail.return_path == "boss.customer@lookalike.example"
    assert not mail.sender_verified
    assert mail.words == mails.WORDS


@pytest.mark.parametrize(
    ("return_path", "results", "verified"),
    [
        ("<boss@customer.example>", None, True),
        ("<bounces+123@mail.customer.example>", None, True),  # the sender's own subdomain
        ("<boss@customer.example>", "mx.integrator.example; spf=fail smtp.mailfrom=customer.example", False),
        ("<boss@customer.example>", "mx.integrator.example; dkim=none; dmarc=fail header.from=customer.example", False),
        ("<x@lookalike.example>", "mx.integrator.example; dmarc=pass header.from=customer.example", False),
        ("<boss@customer.example>", "mx.integrator.example; spf=pass; dmarc=pass", True),
    ],
)
def test_the_envelope_and_the_receiving_servers_checks_decide_whether_the_sender_is_verified(
    return_path: str, results: str | None, verified: bool
) -> None:
    raw = mail_machines.forged_mail(return_path=return_path, authentication_results=results)

    assert read_mail(raw).sender_verified is verified


def test_pictures_are_told_by_their_first_bytes() -> None:
    assert picture_kind(mail_shapes.jpeg(16, 16)) == "jpeg"
    assert picture_kind(mail_shapes.png()) == "png"
    assert picture_kind(mail_shapes.heic_head(64)) == "heif"
    assert picture_kind(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert picture_kind(mail_shapes.pdf()) is None
    assert picture_kind(b"") is None


def test_a_photo_sent_with_a_wrong_type_is_still_a_photo_and_a_pdf_is_not() -> None:
    files = [
        File("DSC0001", "application/octet-stream", mail_shapes.jpeg(seed=2)),
        File("fake.jpg", "image/jpeg", mail_shapes.pdf()),
    ]
    mail = read_mail(mails.build_mail(files=files))

    assert [(a.filename, a.is_photo) for a in mail.attachments] == [("DSC0001", True), ("fake.jpg", False)]


def test_a_signature_logo_and_the_histories_pictures_are_not_photos_but_a_picture_in_the_words_is() -> None:
    """Outlook's logo is tiny; a signature's picture sits in a marked signature; the history's picture in
    the quote; the site photo shown in the new words is the ticket's photo."""
    big_logo = mail_shapes.jpeg(200, 150, seed=9)
    assert len(big_logo) >= SMALL_INLINE_BYTES
    html = (
        '<div>UPS面板照片如下：</div><img src="cid:site@x"><div>请尽快处理</div>'
        f"{mail_shapes.signature_html('张三', logo_cid='sig@x', element_id='signature')}"
        '<blockquote type="cite"><div>上次的照片</div><img src="cid:old@x"></blockquote>'
    )
    files = [
        File("site.jpg", "image/jpeg", mail_shapes.jpeg(seed=1), content_id="site@x", disposition="inline"),
        File("sig.jpg", "image/jpeg", big_logo, content_id="sig@x", disposition="inline"),
        File("old.jpg", "image/jpeg", mail_shapes.jpeg(seed=4), content_id="old@x", disposition="inline"),
    ]
    mail = read_mail(mails.build_mail(html=html, files=files))

    assert {a.filename: a.is_photo for a in mail.attachments} == {"site.jpg": True, "sig.jpg": False, "old.jpg": False}
    assert all(a.data is not None for a in mail.attachments)  # kept as attachments all the same
    assert mail.words.split() == ["UPS面板照片如下：", "请尽快处理"]  # no signature, no history
    outlook_logo = read_mail(mails.outlook_mail()).attachments[0]
    assert (outlook_logo.filename, outlook_logo.is_photo, outlook_logo.content_id) == (
        "image001.png",
        False,
        "image001.png@01db4c2a.5f3e8a10",
    )


def test_too_big_and_too_many_files_are_refused_without_their_bytes() -> None:
    limits = ReadingLimits(max_attachment_bytes=50_000, max_attachments=3)
    big = File("big.bin", "application/octet-stream", bytes(range(256)) * 400)  # 102,400 bytes
    photos = [mails.photo(seed) for seed in range(1, 5)]  # about 60 kB each: too big too
    small = [File(f"p{n}.jpg", "image/jpeg", mail_shapes.jpeg(64, 64, seed=n)) for n in range(4)]
    pdf = File("report.pdf", "application/pdf", mail_shapes.pdf())
    mail = read_mail(mails.build_mail(files=[big, pdf, photos[0], *small]), limits=limits)

    refused = {a.filename: (a.refused_because, a.data is None, a.size) for a in mail.attachments}
    assert refused["big.bin"][:2] == ("too_big", True)
    assert abs(refused["big.bin"][2] - 102_400) <= 3  # the size estimated from the encoded size
    assert refused["现场照片1.jpg"][:2] == ("too_big", True)
    kept = [a.filename for a in mail.attachments if a.refused_because is None]
    assert kept == ["p0.jpg", "p1.jpg", "p2.jpg"]  # photos first; the PDF and the fourth photo wait
    assert refused["report.pdf"][:2] == refused["p3.jpg"][:2] == ("too_many", True)
    assert mail.attachments[-1].is_photo  # it is a photo, refused


def test_a_file_of_exactly_the_limit_is_kept_and_one_byte_more_is_refused() -> None:
    limits = ReadingLimits(max_attachment_bytes=300_000)
    at_limit = read_mail(mails.build_mail(files=[mails.big_file(300_000)]), limits=limits).attachments[0]
    over = read_mail(mails.build_mail(files=[mails.big_file(300_001)]), limits=limits).attachments[0]

    assert (at_limit.size, at_limit.refused_because, at_limit.data is not None) == (300_000, None, True)
    assert (over.size, over.refused_because, over.data) == (300_001, "too_big", None)
