"""Bad mail is read as far as it can be, says what it could not read in `problems`, and never raises: each
kind of bad input by hand, then random bytes and mutated corpus mails under Hypothesis."""

import hashlib
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.mail.domain.reading import Mail, ReadingLimits, read_mail
from testkit import mail_machines, mail_shapes, mails
from testkit.mail_mime import File

HEADER = b"From: =?utf-8?B?5byg5LiJ?= <zhangsan@customer.example>\r\nSubject: UPS\r\n"


def test_a_multipart_without_a_boundary_keeps_its_words() -> None:
    raw = HEADER + b"Content-Type: multipart/mixed\r\n\r\n" + "机房UPS报警".encode() + b"\r\n"
    mail = read_mail(raw)

    assert "机房UPS报警" in mail.words
    assert any(p.startswith("malformed_mime") for p in mail.problems)


def test_a_broken_boundary_keeps_what_can_be_read() -> None:
    raw = (
        HEADER + b'Content-Type: multipart/alternative; boundary="declared"\r\n\r\n'
        b"--used\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "电池灯闪".encode() + b"\r\n--used--\r\n"
    )
    mail = read_mail(raw)

    assert mail.text == "电池灯闪"  # read again with the boundary its parts use
    assert "malformed_mime:start_boundary_not_found" in mail.problems


def test_an_empty_body_is_said() -> None:
    mail = read_mail(HEADER + b"Content-Type: text/plain\r\n\r\n")

    assert (mail.text, mail.words) == ("", "")
    assert "empty_body" in mail.problems


def test_a_huge_subject_is_bounded() -> None:
    mail = read_mail(mails.build_mail(subject="报警" * 5_000), limits=ReadingLimits(max_subject_chars=300))

    assert mail.subject == "报警" * 150
    assert "long_subject" in mail.problems


def test_an_unknown_charset_is_named_and_read_as_well_as_it_can_be() -> None:
    raw = HEADER + b"Content-Type: text/plain; charset=x-klingon\r\n\r\n" + "机房UPS报警".encode("gb18030")
    mail = read_mail(raw)

    assert mail.words == "机房UPS报警"  # guessed: not UTF-8, but GB18030 reads it whole
    assert "unknown_charset:x-klingon" in mail.problems
    replaced = read_mail(HEADER + b"Content-Type: text/plain; charset=gbk\r\n\r\nUPS \x80\xff")
    assert replaced.words.startswith("UPS")
    assert "\ufffd" in replaced.words
    assert "undecodable_text:gb18030" in replaced.problems


def test_a_stray_byte_keeps_the_label_and_a_mislabelled_text_is_read_by_what_it_is() -> None:
    stray = read_mail(HEADER + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "机房UPS报警".encode() + b"\xff")
    mislabelled = read_mail(HEADER + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "机房UPS报警".encode("gbk"))

    assert stray.words == "机房UPS报警\ufffd"
    assert "undecodable_text:utf-8" in stray.problems
    assert mislabelled.words == "机房UPS报警"


def test_a_mail_of_only_its_header_is_incomplete() -> None:
    header_only = mails.iphone_mail(photos=[mail_shapes.jpeg()]).split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    mail = read_mail(header_only, complete=False)

    assert mail.subject == "回复: [HH138-20261207-0001] 机房UPS报警"
    assert (mail.text, mail.words, mail.attachments) == ("", "", ())
    assert "incomplete" in mail.problems
    assert "incomplete" in read_mail(header_only).problems  # a multipart with no parts was cut short


def test_nul_bytes_are_dropped() -> None:
    raw = mails.build_mail(subject="UPS\x00报警", words="机房\x00UPS", transfer="8bit")
    mail = read_mail(raw.replace(b"Subject: ", b"Subject: \x00"))

    assert "\x00" not in mail.subject + mail.words + mail.text
    assert mail.words == "机房UPS"


def test_invalid_and_missing_dates() -> None:
    assert read_mail(mails.build_mail(date="星期一 下午2点")).sent_at is None
    assert "invalid_date" in read_mail(mails.build_mail(date="Mon, 99 Foo 2026 25:61:00 +0800")).problems
    assert "no_date" in read_mail(mails.build_mail(date=None)).problems
    utc = read_mail(mails.build_mail(date="Mon, 07 Dec 2026 06:35:12 -0000")).sent_at
    assert utc is not None
    assert utc.utcoffset() is not None


def test_a_missing_message_id_is_made_from_the_mails_bytes() -> None:
    raw = mails.build_mail(message_id=None)
    mail = read_mail(raw)

    assert mail.message_id == f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.aftercare>"
    assert read_mail(raw).message_id == mail.message_id
    assert read_mail(mails.build_mail(message_id=None, words="另一封")).message_id != mail.message_id
    assert "no_message_id" in mail.problems


def test_duplicate_headers_take_the_first_and_are_named() -> None:
    raw = mails.build_mail(headers=[("From", "Other <other@elsewhere.example>"), ("Subject", "第二个主题")])
    mail = read_mail(raw)

    assert mail.sender.email == "zhangsan@customer.example"
    assert mail.subject == "机房UPS报警"
    assert {"duplicate_header:from", "duplicate_header:subject"} <= set(mail.problems)


def test_a_missing_sender_and_a_malformed_encoded_word() -> None:
    mail = read_mail(b"Subject: =?utf-8?B?***?= UPS\r\n\r\nhello")

    assert mail.sender.email == ""
    assert "no_sender" in mail.problems
    assert mail.words == "hello"


def test_a_mail_of_thousands_of_parts_is_read_as_far_as_the_bound() -> None:
    parts = b"".join(b"--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n" for _ in range(5_000))
    raw = HEADER + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + b"--b--\r\n"
    mail = read_mail(raw, limits=ReadingLimits(max_attachments=3))

    assert "too_many_parts" in mail.problems
    assert len([a for a in mail.attachments if a.refused_because is None]) == 3


def test_hostile_bodies_are_read_in_linear_time() -> None:
    """Lines that each look like a disclaimer, a rule or a quote header cost each a look at a few lines
    near them, never at the rest of the mail (that was minutes for a megabyte)."""
    bodies = [
        "\n".join(["此邮件含有保密信息"] * 40_000),
        "\n".join(["=" * 20, "张三"] * 20_000),
        "\n".join(["发件人: x", "正文"] * 20_000),
        "<div>" + "<p>UPS报警</p><hr>" * 20_000 + "</div>",
    ]
    started = time.monotonic()
    for body in bodies:
        html = body if body.startswith("<div>") else None
        assert read_mail(mails.build_mail(words=body, html=html, html_only=html is not None)).words
    assert time.monotonic() - started < 20


FUZZ_LIMITS = ReadingLimits(
    max_subject_chars=40, max_words_chars=300, max_text_chars=2_000, max_attachment_bytes=20_000, max_attachments=2
)
CORPUS = [
    mails.outlook_mail(),
    mails.foxmail_mail(english=True, mailer="qq"),
    mails.iphone_mail(photos=[mail_shapes.jpeg(48, 48), mail_shapes.heic_head(3_000)]),
    mails.netease_mail(),
    mails.wechat_forward(),
    mails.build_mail(
        charset="big5", sender=("張三", "a@b.example"), subject="機房報警", words="機房", split_mid_character=True
    ),
    mails.build_mail(charset="gbk", header_encoding="8bit", transfer="8bit", files=[File("a.pdf", "x/y", b"%PDF")]),
    mail_machines.bounce(),
    mail_machines.read_receipt(),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["cut", "insert", "repeat", "truncate", "flip"]))
        if action == "cut":
            del raw[at : at + draw(st.integers(1, 200))]
        elif action == "insert":
            raw[at:at] = draw(st.sampled_from([b"\r\n", b"--", b"=?", b"?=", b"\x00", b"\r\n\r\n", b"boundary="]))
        elif action == "repeat":
            raw[at:at] = raw[at : at + draw(st.integers(1, 300))] * draw(st.integers(1, 5))
        elif action == "truncate":
            del raw[at:]
        elif at < len(raw):
            raw[at] = draw(st.integers(0, 255))
    return bytes(raw)


def _assert_within_limits(mail: Mail) -> None:
    assert len(mail.subject) <= FUZZ_LIMITS.max_subject_chars
    assert len(mail.words) <= FUZZ_LIMITS.max_words_chars
    assert len(mail.text) <= FUZZ_LIMITS.max_text_chars
    assert mail.message_id.startswith("<")
    assert mail.message_id.endswith(">")
    assert mail.sent_at is None or mail.sent_at.tzinfo is not None
    assert "\x00" not in mail.subject + mail.words + mail.text + mail.sender.name
    kept = [a for a in mail.attachments if a.refused_because is None]
    assert len(kept) <= FUZZ_LIMITS.max_attachments
    assert all(a.data is not None and len(a.data) <= FUZZ_LIMITS.max_attachment_bytes for a in kept)
    assert all(a.data is None for a in mail.attachments if a.refused_because is not None)
    assert len(mail.problems) <= 20
    assert "unreadable" not in mail.problems  # read by the forgiving parts, not by read_mail's last guard


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=3_000) | mutated())
def test_read_mail_never_raises_and_keeps_its_limits(raw: bytes) -> None:
    _assert_within_limits(read_mail(raw, limits=FUZZ_LIMITS))
    _assert_within_limits(read_mail(raw, limits=FUZZ_LIMITS, complete=False))
