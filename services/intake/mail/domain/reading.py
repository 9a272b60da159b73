"""A raw mail as the e-mail hotline reads it, as plain data and pure functions (no I/O).

Mail as Chinese offices send it: GB2312/GBK/GB18030 and Big5 bodies (GB2312 and GBK labels are read as
GB18030, their superset), RFC 2047 encoded headers, quoted-printable and base64, HTML-only mail turned to
text, Outlook/Foxmail/QQ/iPhone quoted history and signatures trimmed from the words the ticket keeps.
Nothing here raises on bad input: what cannot be read is said in `problems` and the rest is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    email: str  # lower-cased addr-spec; "" if the header had none that could be read
    name: str = ""  # the display name, decoded


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded, path parts removed; a made-up one ("attachment-2.bin") if none
    content_type: str  # as declared, lower-cased (image/jpeg)
    size: int  # bytes after transfer decoding (as declared when too big to decode)
    data: bytes | None  # None when refused (too big, unreadable)
    is_photo: bool  # a JPEG/PNG/HEIC/WebP picture by its content (magic bytes), not only its declared type
    refused_because: str | None = None  # too_big, unreadable, too_many


@dataclass(frozen=True)
class ReadingLimits:
    max_subject_chars: int = 300
    max_words_chars: int = 8_000  # the new words a ticket keeps
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 10


@dataclass(frozen=True)
class Mail:
    message_id: str  # <...> as sent; one made from the mail's digest when it has none
    subject: str  # decoded, whitespace collapsed, bounded
    sender: Address  # From
    reply_to: Address | None
    return_path: str | None  # the envelope sender the receiving server recorded, lower-cased
    to: tuple[str, ...]
    cc: tuple[str, ...]
    sent_at: datetime | None  # Date, aware; None if missing or unreadable
    in_reply_to: str | None
    references: tuple[str, ...]
    words: str  # the new words: quoted history, signatures and disclaimers trimmed, bounded
    text: str  # the whole body as text (plain, or from HTML), bounded
    attachments: tuple[Attachment, ...] = ()
    automatic: str | None = None  # why it must never be answered: auto_submitted, bounce, mailing_list, bulk
    sender_verified: bool = True  # False when Return-Path's domain differs from From's (a forged From?)
    problems: tuple[str, ...] = field(default=())  # what could not be read (unknown_charset:x, malformed_mime)


def read_mail(raw: bytes, *, limits: ReadingLimits = ReadingLimits()) -> Mail:
    """The mail in `raw` (RFC 5322 bytes, as IMAP's BODY[] gives them), never raising on bad input."""
    raise NotImplementedError
