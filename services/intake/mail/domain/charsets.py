"""Bytes and headers to text, as Chinese offices' mail needs it (pure).

Labels are mapped to the codec that reads what the sender really wrote: GB2312 and GBK mail is full of
characters beyond GB2312 (names, 〇, ・), so every GB label is read as GB18030, their superset; Big5 as
Big5-HKSCS for the same reason. Headers are decoded leniently: RFC 2047 encoded words anywhere (also inside
quoted display names, as Foxmail and Outlook write them), adjacent words of one charset joined before
decoding (clients split words mid-character), and unencoded 8-bit headers guessed as UTF-8, then GB18030.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

# What a label on a Chinese office's mail means (lower-cased label -> Python codec).
CHARSET_ALIASES = {
    **dict.fromkeys(
        (
            "gb2312",
            "gbk",
            "x-gbk",
            "cp936",
            "ms936",
            "windows-936",
            "gb_2312-80",
            "gb_2312",
            "csgb2312",
            "euc-cn",
            "x-euc-cn",
            "chinese",
            "iso-ir-58",
            "gb18030",
        ),
        "gb18030",
    ),
    **dict.fromkeys(("big5", "x-big5", "cn-big5", "csbig5", "big-5", "big5-hkscs", "big5hkscs"), "big5hkscs"),
    **dict.fromkeys(("utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"), "utf-8"),
    **dict.fromkeys(("us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "646"), "utf-8"),  # 8-bit in ASCII happens
    **dict.fromkeys(("iso-8859-1", "latin1", "latin-1", "l1"), "cp1252"),  # as browsers and mail clients do
}
GUESSES = ("utf-8", "gb18030", "big5hkscs")  # unlabelled 8-bit text from Chinese offices, most likely first
MAX_HEADER_CHARS = 20_000  # a header longer than this is cut before it is decoded
STRAY_BYTES = 3  # a text with no more bad bytes than this (or 1 in 200) keeps its label, with U+FFFD

# Controls, zero-width marks, and the bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9): these
# turn what the console shows around ("invoice\u202egpj.exe" shows as "invoiceexe.jpg").
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def codec_for(label: str | None) -> str | None:
    """The codec a charset label stands for, or None if it is unknown."""
    if not label:
        return "utf-8"
    name = label.strip().strip("\"'").lower()
    if name in CHARSET_ALIASES:
        return CHARSET_ALIASES[name]
    try:
        found = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    return CHARSET_ALIASES.get(found, found)


def guess_text(data: bytes) -> str:
    """Unlabelled bytes as text: the first likely charset that reads them whole, else UTF-8 with U+FFFD."""
    for codec in GUESSES:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def decode_text(data: bytes, label: str | None, problems: list[str]) -> str:
    """`data` read by its label; an unknown label or bytes that do not fit it are named in `problems`."""
    codec = codec_for(label)
    if codec is None:
        problems.append(f"unknown_charset:{_printable(label or '')}")
        return guess_text(data)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    replaced = data.decode(codec, errors="replace")
    if replaced.count("\ufffd") > max(STRAY_BYTES, len(replaced) // 200):
        for other in GUESSES:  # mislabelled, not merely a stray byte (GBK sent as UTF-8 happens)
            if other != codec:
                try:
                    return data.decode(other)
                except UnicodeDecodeError:
                    continue
    problems.append(f"undecodable_text:{codec}")
    return replaced


def clean(text: str) -> str:
    """Text without NULs, other control characters, zero-width marks and bidirectional controls (newlines and
    tabs kept)."""
    return _CONTROL.sub("", text)


def _printable(label: str) -> str:
    return re.sub(r"[^\w.\-]", "?", label)[:40]


# RFC 2047 encoded words, found anywhere (also glued to other text or inside quotes, as sent in practice).
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")


def unencoded(text: str) -> str:
    """Unencoded header text; the parser kept 8-bit bytes as surrogate escapes, which are guessed here."""
    try:
        data = text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return text
    return guess_text(data)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    if encoding in "Bb":
        payload = payload.rstrip("=")
        try:
            return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
        except (binascii.Error, ValueError):
            return None
    payload = payload.replace("_", " ")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), payload.encode("latin-1", "replace"))


def decode_header(value: str | None, problems: list[str]) -> str:
    """A header's text: encoded words decoded, 8-bit bytes guessed, folding and control characters removed."""
    if not value:
        return ""
    value = str(value)[:MAX_HEADER_CHARS]
    pieces: list[str] = []
    pending: list[tuple[str, bytes]] = []  # adjacent encoded words, joined by charset before decoding

    def flush() -> None:
        for label, data in _join_by_label(pending):
            pieces.append(decode_text(data, label, problems))
        pending.clear()

    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between and not (pending and between.isspace()):
            flush()
            pieces.append(unencoded(between))
        data = _word_bytes(match.group(2), match.group(3))
        if data is None:
            flush()
            pieces.append(match.group(0))
            problems.append("malformed_encoded_word")
        else:
            pending.append((match.group(1), data))
        position = match.end()
    flush()
    pieces.append(unencoded(value[position:]))
    return clean(re.sub(r"\s*[\r\n]+\s*", " ", "".join(pieces)))


def _join_by_label(words: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    joined: list[tuple[str, bytes]] = []
    for label, data in words:
        if joined and joined[-1][0].lower() == label.lower():
            joined[-1] = (label, joined[-1][1] + data)
        else:
            joined.append((label, data))
    return joined
