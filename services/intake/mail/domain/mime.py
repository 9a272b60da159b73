"""A raw mail's MIME structure, walked forgivingly (pure): its headers as sent, its body texts and its files.

The standard library's compat32 parser is used because it never gives up on bad input: a missing or broken
boundary, bad base64 and 8-bit headers become defects, which are named in `problems`, and the rest is
read. The walk is iterative and bounded, so that a hostile mail of a million nested parts costs little.
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from typing import TypeVar

from services.intake.mail.domain.attachments import Found
from services.intake.mail.domain.charsets import clean, decode_header, decode_text, guess_text
from services.intake.mail.domain.html_text import content_id

T = TypeVar("T")

MAX_PARTS = 200  # parts walked; a mail with more is read as far as that
MAX_PROBLEMS_FROM_DEFECTS = 5
HEAD_BYTES = 64  # enough to tell a picture by
ENCODED_SLACK = 1.01  # an estimate this much over the limit may still decode within it


@dataclass
class Walked:
    headers: dict[str, list[str]]  # raw values by lower-cased name, in the order sent
    content_type: str
    report_type: str
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[Found] = field(default_factory=list)


def parse(raw: bytes, problems: list[str]) -> Message:
    try:
        return email.parser.BytesParser(policy=compat32).parsebytes(raw)
    except Exception:  # the parser is forgiving by design; anything it still cannot read is kept as headers
        problems.append("malformed_mime")
    try:
        return email.parser.BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:
        return Message()


def walk(
    message: Message,
    problems: list[str],
    *,
    max_bytes: int,
    max_plain_chars: int = 1_000_000,
    max_html_chars: int = 1_000_000,
) -> Walked:
    """The mail's parts: its texts within their bounds (together, not each), its files."""
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        headers.setdefault(str(name).strip().lower(), []).append(str(value))
    walked = Walked(
        headers=headers,
        content_type=_safe(lambda: message.get_content_type(), "text/plain"),
        report_type=_safe(lambda: str(message.get_param("report-type") or "").lower(), ""),
    )
    defects: list[str] = []
    stack: list[Message] = [message]
    seen = 0
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            problems.append("too_many_parts")
            break
        defects += [type(defect).__name__ for defect in getattr(part, "defects", [])]
        try:
            if part.is_multipart():
                children = part.get_payload()
                stack.extend(reversed([c for c in children if isinstance(c, Message)]))
                continue
            repaired = _with_the_boundary_used(part)
            if repaired:
                stack.extend(reversed(repaired))
                continue
            _leaf(part, walked, problems, max_bytes=max_bytes, max_chars=(max_plain_chars, max_html_chars))
        except Exception:  # one unreadable part does not cost the others, and is listed, refused
            problems.append("unreadable_part")
            name = f"attachment-{len(walked.files) + 1}.bin"
            walked.files.append(Found(name, "application/octet-stream", 0, None, b"", "", unreadable=True))
    problems.extend(
        f"malformed_mime:{_snake(name.removesuffix('Defect'))}"
        for name in list(dict.fromkeys(defects))[:MAX_PROBLEMS_FROM_DEFECTS]
    )
    return walked


_DELIMITER = re.compile(rb"^--([^\s]{1,70})[ \t]*\r?$", re.M)


def _with_the_boundary_used(part: Message) -> list[Message]:
    """The parts of a multipart whose declared boundary is missing or is not the one its parts use (a
    client's bug): read again with the first delimiter line found in it."""
    if _safe(lambda: part.get_content_maintype(), "") != "multipart":
        return []
    payload = _payload(part)
    used = _DELIMITER.search(payload)
    if used is None:
        return []
    header = b'Content-Type: multipart/mixed; boundary="' + used.group(1).replace(b'"', b"") + b'"\r\n\r\n'
    reread = email.parser.BytesParser(policy=compat32).parsebytes(header + payload)
    children = reread.get_payload() if reread.is_multipart() else []
    return [child for child in children if isinstance(child, Message)]


def _leaf(part: Message, walked: Walked, problems: list[str], *, max_bytes: int, max_chars: tuple[int, int]) -> None:
    content_type = _safe(lambda: part.get_content_type(), "application/octet-stream")
    disposition = _safe(lambda: part.get_content_disposition(), None)
    filename = _filename(part, problems)
    maintype, _, subtype = content_type.partition("/")
    if maintype == "multipart":  # a multipart without a usable boundary: its bytes are the body text
        _add_text(walked.plain, guess_text(_payload(part)), max_chars[0])
        return
    if maintype == "text" and subtype in ("plain", "html") and disposition != "attachment" and not filename:
        label = _safe(lambda: part.get_content_charset(), None)
        text = decode_text(_payload(part), label, problems)
        if subtype == "plain":
            _add_text(walked.plain, text, max_chars[0])
        else:
            _add_text(walked.html, text, max_chars[1])
        return
    walked.files.append(_found(part, content_type, filename or f"attachment-{len(walked.files) + 1}.bin", max_bytes))


def _add_text(texts: list[str], text: str, max_chars: int) -> None:
    """`text` cleaned, cut to what the texts before it left of `max_chars`: what is read after is bounded."""
    room = max_chars - sum(len(kept) for kept in texts)
    if room > 0:
        texts.append(clean(text[:room]))


def _found(part: Message, content_type: str, filename: str, max_bytes: int) -> Found:
    encoded = part.get_payload()
    encoded = encoded if isinstance(encoded, str) else ""
    is_base64 = str(part.get("content-transfer-encoding", "")).strip().lower() == "base64"
    letters = len(encoded) - sum(encoded.count(space) for space in ("\r", "\n", " ", "\t", "="))
    estimate = letters * 3 // 4 if is_base64 else len(encoded)
    identifier = content_id(str(part.get("content-id", "")))
    if estimate > max_bytes * ENCODED_SLACK + 1024:  # too big: not decoded, only its first bytes
        head = _base64_head(encoded) if is_base64 else encoded[:HEAD_BYTES].encode("utf-8", "surrogateescape")
        return Found(filename, content_type, estimate, None, head, identifier)
    data = _payload(part)
    return Found(filename, content_type, len(data), data, data[:HEAD_BYTES], identifier)


def _base64_head(encoded: str) -> bytes:
    letters = re.sub(r"[^A-Za-z0-9+/]", "", encoded[: HEAD_BYTES * 2])[: HEAD_BYTES // 3 * 4]
    try:
        return base64.b64decode(letters)
    except (binascii.Error, ValueError):
        return b""


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    text = part.get_payload()
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else b""


_PATH = re.compile(r"^.*[\\/]")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
MAX_FILENAME_CHARS = 200


def _filename(part: Message, problems: list[str]) -> str:
    """The decoded file name (RFC 2231, or RFC 2047 as Chinese clients write it), without path parts."""
    name = _safe(lambda: part.get_filename(), None) or _safe(lambda: part.get_param("name"), None)
    if not name:
        return ""
    if not isinstance(name, str):  # an RFC 2231 triple the library could not collapse
        name = str(name[2]) if isinstance(name, tuple) and len(name) == 3 else ""
    decoded = decode_header(name, problems)
    return _UNSAFE.sub("_", _PATH.sub("", decoded)).strip(" .")[:MAX_FILENAME_CHARS]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _safe(read: Callable[[], T], fallback: T) -> T:
    """What `read` gives, or `fallback` when the library fails on a malformed header."""
    try:
        return read()
    except Exception:
        return fallback
