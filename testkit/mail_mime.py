"""A small MIME writer for the test corpus: raw mails byte for byte as clients write them, including what the
standard library's generator would never write (GB labels on GB18030 bytes, encoded words split in the
middle of a character, encoded words inside quoted display names, unencoded 8-bit GBK headers)."""

from __future__ import annotations

import base64
import quopri
from collections.abc import Sequence
from dataclasses import dataclass

CRLF = "\r\n"
CODECS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb18030": "gb18030"}
CODECS |= {"big5": "big5hkscs", "utf-8": "utf-8", "us-ascii": "utf-8"}


def codec(label: str) -> str:
    return CODECS.get(label.lower(), label.lower())


@dataclass(frozen=True)
class File:
    """An attached file; `content_id` makes it an inline picture of the HTML (<img src="cid:...">)."""

    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    disposition: str = "attachment"  # Apple Mail sends its photos "inline"


def encoded_words(text: str, label: str, *, encoding: str = "B", split_mid_character: bool = False) -> str:
    """`text` as RFC 2047 encoded words; split in the middle of characters when asked (as some clients do)."""
    data = text.encode(codec(label))
    step = 7 if split_mid_character else 45  # 7 bytes: every GB or UTF-8 Chinese character pair is torn
    words = []
    for start in range(0, len(data), step):
        chunk = data[start : start + step]
        if encoding.upper() == "B":
            payload = base64.b64encode(chunk).decode()
        else:
            payload = "".join(chr(b) if 33 <= b < 127 and chr(b) not in "=?_ " else f"={b:02X}" for b in chunk)
        words.append(f"=?{label}?{encoding}?{payload}?=")
    return (CRLF + " ").join(words)


def header_text(text: str, label: str, encoding: str) -> str:
    """A header's text: plain ASCII as is; else encoded words, or raw 8-bit bytes (smuggled as latin-1)."""
    if text.isascii():
        return text
    if encoding == "8bit":
        return text.encode(codec(label)).decode("latin-1")
    return encoded_words(text, label, encoding=encoding)


def address(name: str, email: str, label: str = "utf-8", encoding: str = "B", *, quoted: bool = False) -> str:
    """An address header's value; Foxmail and Outlook put encoded words inside quotes (`quoted`)."""
    if not name:
        return f"<{email}>"
    shown = header_text(name, label, encoding)
    return f'"{shown}" <{email}>' if quoted or name.isascii() else f"{shown} <{email}>"


def _encode_body(data: bytes, transfer: str) -> bytes:
    if transfer == "base64":
        return base64.encodebytes(data).replace(b"\n", b"\r\n")
    if transfer == "quoted-printable":
        return quopri.encodestring(data.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def text_part(text: str, subtype: str, label: str, transfer: str) -> bytes:
    head = f'Content-Type: text/{subtype}; charset="{label}"{CRLF}Content-Transfer-Encoding: {transfer}{CRLF}{CRLF}'
    return head.encode() + _encode_body(text.encode(codec(label)), transfer)


def file_part(file: File, label: str = "utf-8") -> bytes:
    name = header_text(file.filename, label, "B")
    lines = [
        f'Content-Type: {file.content_type}; name="{name}"',
        f'Content-Disposition: {file.disposition}; filename="{name}"',
        "Content-Transfer-Encoding: base64",
    ]
    if file.content_id:
        lines.append(f"Content-ID: <{file.content_id}>")
    return (CRLF.join(lines) + CRLF + CRLF).encode() + _encode_body(file.data, "base64")


def multipart(subtype: str, parts: Sequence[bytes], boundary: str, params: str = "") -> bytes:
    head = f'Content-Type: multipart/{subtype};{params} boundary="{boundary}"{CRLF}{CRLF}'.encode()
    body = b"This is a multi-part message in MIME format." + CRLF.encode()
    for part in parts:
        body += f"{CRLF}--{boundary}{CRLF}".encode() + part
    return head + body + f"{CRLF}--{boundary}--{CRLF}".encode()


def body(
    *,
    plain: str | None,
    html: str | None,
    label: str,
    transfer: str,
    files: Sequence[File] = (),
    boundary: str = "----=_NextPart_000_0001_01DB4C2A.5F3E8A10",
) -> bytes:
    """The body (its Content-Type header first) of a mail with these texts and files, as mail clients
    nest them: alternative(plain, related(html, inline pictures)) inside mixed(…, attachments)."""
    inline = [f for f in files if f.content_id]
    attached = [f for f in files if not f.content_id]
    html_part = text_part(html, "html", label, transfer) if html is not None else None
    if html_part is not None and inline:
        html_part = multipart("related", [html_part, *(file_part(f, label) for f in inline)], boundary + "_rel")
    texts = [p for p in (text_part(plain, "plain", label, transfer) if plain is not None else None, html_part) if p]
    if not texts:
        texts = [text_part("", "plain", label, transfer)]
    main = texts[0] if len(texts) == 1 else multipart("alternative", texts, boundary + "_alt")
    if not attached:
        return main
    return multipart("mixed", [main, *(file_part(f, label) for f in attached)], boundary)


def message(headers: Sequence[tuple[str, str | None]], content: bytes) -> bytes:
    """Header lines (a None value is left out; a str with non-latin-1 text is written as UTF-8) and the
    body, which starts with its own Content-* headers."""
    lines = [f"{name}: {value}" for name, value in headers if value is not None] + ["MIME-Version: 1.0"]
    return b"".join(_line_bytes(line) + CRLF.encode() for line in lines) + content


def _line_bytes(line: str) -> bytes:
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")
