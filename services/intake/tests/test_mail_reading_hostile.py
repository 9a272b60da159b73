"""Mail written to abuse the hotline: an encoded word that reads as many addresses (it would have had the
hotline acknowledge to each, a spam relay), a body of 20 MB and a picture that unpacks to gigabytes (each
bounded before the work it costs), and bidirectional controls that make a file name show another one."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import pytest
from PIL import Image

from services.intake.mail.domain.html_text import html_to_text
from services.intake.mail.domain.reading import ReadingLimits, read_mail
from services.intake.mail.domain.shrinking import NotShrunk, shrunk
from services.intake.mail.domain.trimming import new_words
from shared.contracts.photos import MAX_PHOTO_BYTES
from testkit import mails
from testkit.mail_mime import File

VICTIMS = ",".join([f"v{n}@victim{n}.example" for n in range(20)] + ["me@attacker.example"])
READING = "services.intake.mail.domain.reading"
MANY = "=?utf-8?b?" + base64.b64encode(VICTIMS.encode()).decode() + "?="


def _raw(headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{name}: {value}" for name, value in [*headers, ("Subject", "UPS"), ("Message-ID", "<1@x.example>")]]
    return ("\r\n".join(lines) + "\r\n\r\n机房UPS报警\r\n").encode()


def test_an_encoded_word_is_never_an_address_so_never_many() -> None:
    mail = read_mail(_raw([("From", MANY), ("Reply-To", MANY), ("To", f"desk@x.example, {MANY}"), ("Cc", MANY)]))

    assert (mail.sender.email, mail.reply_to, mail.to, mail.cc) == ("", None, ("desk@x.example",), ())
    assert {"bad_address:from", "bad_address:reply-to", "bad_address:to", "bad_address:cc", "no_sender"} <= set(
        mail.problems
    )
    named = read_mail(_raw([("From", f'"{MANY}" <me@attacker.example>')]))
    assert named.sender.email == "me@attacker.example"  # a display name is decoded: it is only shown
    assert named.sender.name.startswith("v0@victim0.example,")


@pytest.mark.parametrize(
    "value",
    [
        '"a b"@x.example',  # a quoted local part
        "a@b@x.example",
        "a@x.example)<b@y.example>",  # the lenient parser's two addresses of one (CVE-2023-27043)
        "=?utf-8?q?a=40b.example?=@x.example",  # an encoded word in the local part
        "a@[192.0.2.1]",
        "a@-x.example",
        "a@x_y.example",
        "a@localhost",
        "a..b@x.example",
        "张三",  # a name without an address
    ],
)
def test_a_malformed_address_is_refused_and_named(value: str) -> None:
    mail = read_mail(_raw([("From", value), ("Return-Path", f"<{value}>")]))

    assert mail.sender.email == ""
    assert "bad_address:from" in mail.problems
    assert mail.return_path is None
    assert "bad_address:return-path" in mail.problems


def test_addresses_as_people_write_them_are_read() -> None:
    mail = read_mail(
        _raw(
            [
                ("From", "张三 <Zhang.San+ups@公司.中国>"),
                ("To", "Team: a@x.example, b@y.example;"),
                ("Return-Path", "<>"),
            ]
        )
    )

    assert (mail.sender.email, mail.sender.name) == ("zhang.san+ups@公司.中国", "张三")
    assert mail.to == ("a@x.example", "b@y.example")
    assert mail.return_path == ""  # the null sender: a notification
    assert not [p for p in mail.problems if p.startswith("bad_address")]


def test_a_body_of_20_mb_is_cut_before_it_is_trimmed_or_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = ReadingLimits()
    seen: dict[str, int] = {}

    def measured(name: str, work: Callable[..., str]) -> Callable[..., str]:
        def run(text: str, **options: bool) -> str:
            seen[name] = max(seen.get(name, 0), len(text))
            return work(text, **options)

        return run

    monkeypatch.setattr(f"{READING}.new_words", measured("new_words", new_words))
    monkeypatch.setattr(f"{READING}.html_to_text", measured("html_to_text", html_to_text))
    words = "机房UPS报警，电池灯闪烁。\n" * 550_000  # 20 MB in UTF-8
    plain = read_mail(mails.build_mail(words=words), limits=limits)
    html = read_mail(mails.build_mail(words="", html="<p>" + words + "</p>", html_only=True), limits=limits)

    assert len(words.encode()) > 20_000_000
    assert seen["new_words"] <= limits.read_chars < len(words) // 30
    assert seen["html_to_text"] <= limits.read_html_chars
    for mail in (plain, html):
        assert len(mail.text) == limits.max_text_chars
        assert mail.words.startswith("机房UPS报警")
        assert {"long_text", "long_words"} <= set(mail.problems)


def _picture(size: tuple[int, int], mode: str, kind: str) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, kind)
    return out.getvalue()


def test_a_png_that_unpacks_to_gigabytes_is_refused_by_its_header_and_a_big_jpeg_is_not() -> None:
    bomb = _picture((7999, 7999), "1", "PNG")  # 64 MP in 8 kB: it cost 3 s and 1 GB of memory to decode

    with pytest.raises(NotShrunk) as refused:
        shrunk(bomb, max_bytes=MAX_PHOTO_BYTES)
    assert (refused.value.reason, str(refused.value)) == ("too_big", "too_big: 7999x7999 pixels")
    camera = _picture((6000, 5000), "RGB", "JPEG")  # 30 MP: a JPEG is decoded scaled down
    assert Image.open(io.BytesIO(shrunk(camera, max_bytes=MAX_PHOTO_BYTES))).size == (1600, 1333)


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidirectional_controls_are_kept_out_of_all_that_is_shown() -> None:
    raw = mails.build_mail(
        sender=("张\u2067三", "zhangsan@customer.example"),
        subject="发票\u202e报警",
        words="机房\u202eUPS",
        html="<p>机房&#x202e;UPS&#8294;</p>",
        files=[File("invoice\u202egpj.exe", "application/octet-stream", b"MZ")],
    )
    mail = read_mail(raw)

    assert mail.attachments[0].filename == "invoicegpj.exe"
    assert (mail.sender.name, mail.subject, mail.text, mail.words) == ("张三", "发票报警", "机房UPS", "机房UPS")
    shown = mail.sender.name + mail.subject + mail.text + mail.words + mail.attachments[0].filename
    assert not set(BIDI) & set(shown)
