"""A raw mail as the e-mail hotline reads it, as plain data and pure functions (no I/O).

Mail as Chinese offices send it: GB2312/GBK/GB18030 and Big5 bodies (GB2312 and GBK labels are read as
GB18030, their superset), RFC 2047 encoded headers, quoted-printable and base64, HTML-only mail turned to
text, Outlook/Foxmail/QQ/iPhone quoted history and signatures trimmed from the words the ticket keeps.
Nothing here raises on bad input: what cannot be read is said in `problems` and the rest is kept.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.intake.mail.domain.addresses import MAX_ADDRESSES, Address, addresses, return_path
from services.intake.mail.domain.attachments import admit
from services.intake.mail.domain.charsets import clean, decode_header
from services.intake.mail.domain.html_text import html_to_text, take_marks, tidy
from services.intake.mail.domain.machines import Envelope, automatic_reason, sender_verified
from services.intake.mail.domain.mime import Walked, parse, walk
from services.intake.mail.domain.trimming import is_forward, new_words


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded, path parts removed; a made-up one ("attachment-2.bin") if none
    content_type: str  # as declared, lower-cased (image/jpeg)
    size: int  # bytes after transfer decoding (estimated from its encoded size when too big to decode)
    data: bytes | None  # None when refused (too big, too many, unreadable)
    # A JPEG/PNG/HEIC/WebP picture by its content (magic bytes), not only its declared type, refused or not;
    # not for an inline picture that is only a signature's logo or the quoted history's (see attachments.py).
    is_photo: bool
    refused_because: str | None = None  # too_big, unreadable, too_many
    content_id: str = ""  # the Content-ID (without <>), lower-cased, that the HTML's cid: names; "" if none


@dataclass(frozen=True)
class ReadingLimits:
    max_subject_chars: int = 300
    max_words_chars: int = 8_000  # the new words a ticket keeps
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 10
    max_text_chars: int = 100_000  # the whole body as text

    @property
    def read_chars(self) -> int:
        """The body text read at most: the bound with a margin (tidying shortens it). Trimming and HTML's
        conversion cost time with the text's length, so a body of 20 MB is cut before them, not after."""
        return 2 * self.max_text_chars

    @property
    def read_html_chars(self) -> int:
        """The HTML read at most: markup is many times its text (Outlook's styles)."""
        return 10 * self.max_text_chars


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
    # Why it must never be answered: bounce, read_receipt, auto_submitted, auto_reply, mailing_list, bulk
    # (the rules are in machines.py).
    automatic: str | None = None
    # False when Return-Path's domain differs from From's (a forged From?), or DMARC/SPF failed.
    sender_verified: bool = True
    problems: tuple[str, ...] = field(default=())  # what could not be read (unknown_charset:x, malformed_mime)
    # The problems' names: incomplete (only the header was fetched), empty_body, no_message_id, no_sender,
    # no_date, invalid_date, long_subject, duplicate_header:<name>, bad_address:<header>, unknown_charset:<label>,
    # undecodable_text:<codec>, malformed_encoded_word, malformed_mime[:<defect>], too_many_parts,
    # unreadable_part, long_text, long_words, unreadable.


SINGLE_HEADERS = ("from", "subject", "date", "message-id", "to", "cc", "in-reply-to", "references")
MAX_ID_CHARS = 998  # RFC 5322's line length
MAX_REFERENCES = 100  # the newest are kept: a thread's reply finds its ticket by the last ones
MAX_PROBLEMS = 20
_ANGLED = re.compile(r"<[^<>]+>")


def read_mail(raw: bytes, *, limits: ReadingLimits = ReadingLimits(), complete: bool = True) -> Mail:
    """The mail in `raw` (RFC 5322 bytes, as IMAP's BODY[] gives them), never raising on bad input.

    `complete` False says that `raw` is only the mail's header (the worker fetched no more of a mail too
    big to take whole): the mail is read from it, without text, and named `incomplete`."""
    problems: list[str] = []
    try:
        return _read(raw, limits, complete, problems)
    except Exception:  # a last guard: the parts above are forgiving, but a mail is never lost to a bug here
        problems.append("unreadable")
        return Mail(
            message_id=_made_up_id(raw), subject="", sender=Address(""), reply_to=None, return_path=None,
            to=(), cc=(), sent_at=None, in_reply_to=None, references=(), words="", text="",
            problems=_bounded(problems),
        )  # fmt: skip


def _read(raw: bytes, limits: ReadingLimits, complete: bool, problems: list[str]) -> Mail:
    walked = walk(
        parse(bytes(raw), problems),
        problems,
        max_bytes=limits.max_attachment_bytes,
        max_plain_chars=limits.read_chars,
        max_html_chars=limits.read_html_chars,
    )
    headers = walked.headers
    problems += [f"duplicate_header:{name}" for name in SINGLE_HEADERS if len(headers.get(name, ())) > 1]

    def first(name: str) -> str:
        return decode_header(headers[name][0], problems) if name in headers else ""

    subject = re.sub(r"\s+", " ", first("subject")).strip()
    if len(subject) > limits.max_subject_chars:
        subject = subject[: limits.max_subject_chars].rstrip()
        problems.append("long_subject")
    senders = addresses(headers.get("from", [])[:1], "from", problems)
    sender = senders[0] if senders else Address("")
    if not sender.email:
        problems.append("no_sender")
    replies = addresses(headers.get("reply-to", [])[:1], "reply-to", problems)
    envelope_sender = return_path(headers.get("return-path", [])[:1], problems)
    message_id = _message_id(headers.get("message-id", [""])[0])
    if message_id is None:
        message_id = _made_up_id(raw)
        problems.append("no_message_id")
    text, words, shown, shown_in_words = _body(walked, subject, complete, limits.read_chars, problems)
    text, words = (
        _bounded_text(text, limits.max_text_chars, "long_text", problems),
        _bounded_text(words, limits.max_words_chars, "long_words", problems),
    )
    decisions = admit(
        walked.files,
        max_bytes=limits.max_attachment_bytes,
        max_count=limits.max_attachments,
        shown=shown,
        shown_in_words=shown_in_words,
    )
    envelope = Envelope(
        headers={name: decode_header(values[0], []) for name, values in headers.items()},  # their faults: noise
        content_type=walked.content_type,
        report_type=walked.report_type,
        sender=sender.email,
        return_path=envelope_sender,
        subject=subject,
    )
    return Mail(
        message_id=message_id,
        subject=subject,
        sender=sender,
        reply_to=replies[0] if replies and replies[0].email else None,
        return_path=envelope_sender,
        to=tuple(a.email for a in addresses(headers.get("to", []), "to", problems) if a.email)[:MAX_ADDRESSES],
        cc=tuple(a.email for a in addresses(headers.get("cc", []), "cc", problems) if a.email)[:MAX_ADDRESSES],
        sent_at=_date(headers.get("date", [None])[0], problems),
        in_reply_to=_message_id(headers.get("in-reply-to", [""])[0]),
        references=tuple(_ANGLED.findall(re.sub(r"\s+", "", " ".join(headers.get("references", [])))))[
            -MAX_REFERENCES:
        ],
        words=words,
        text=text,
        attachments=tuple(
            Attachment(
                filename=d.found.filename,
                content_type=d.found.content_type,
                size=d.found.size,
                data=d.found.data if d.refused_because is None else None,
                is_photo=d.is_photo,
                refused_because=d.refused_because,
                content_id=d.found.content_id,
            )
            for d in decisions
        ),
        automatic=automatic_reason(envelope),
        sender_verified=sender_verified(sender.email, envelope_sender, headers.get("authentication-results", [])),
        problems=_bounded(problems),
    )


def _body(
    walked: Walked, subject: str, complete: bool, read_chars: int, problems: list[str]
) -> tuple[str, str, frozenset[str], frozenset[str]]:
    """The text, the new words, the inline pictures the HTML shows, and those it shows in the new words.

    The text is the plain part when there is one (what the sender's client made of its words); the new
    words come from the HTML when there is one, because its structure says where the quote and the
    signature begin (Foxmail's plain part, for one, keeps the signature with no mark at all)."""
    nothing = not walked.files and not any(part.strip() for part in walked.plain + walked.html)
    if not complete or (nothing and walked.content_type.startswith("multipart/")):  # a multipart cut short
        problems.append("incomplete")
        return "", "", frozenset(), frozenset()
    forward = is_forward(subject)
    plain = tidy("\n\n".join(walked.plain)[:read_chars])
    html = "\n".join(walked.html)
    shown: frozenset[str] = frozenset()
    shown_in_words: frozenset[str] = frozenset()
    html_text = html_words = ""
    if html.strip():
        marked = clean(html_to_text(html))[:read_chars]  # clean: the HTML's entities can write controls
        html_text, shown = take_marks(marked)
        html_words, shown_in_words = take_marks(new_words(marked, forward=forward))
    text = plain or html_text
    words = html_words or (new_words(plain, forward=forward) if plain else "")
    if not text:
        problems.append("empty_body")
    return text, words, shown, shown_in_words


def _message_id(value: str) -> str | None:
    value = re.sub(r"\s+", "", clean(value))
    angled = _ANGLED.search(value)
    identifier = angled.group(0) if angled else (f"<{value.strip('<>')}>" if value.strip("<>") else None)
    if identifier is not None and len(identifier) > MAX_ID_CHARS:  # kept stable, and short enough to store
        return f"<{hashlib.sha256(identifier.encode('utf-8', 'replace')).hexdigest()}@long-message-id.aftercare>"
    return identifier


def _made_up_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(bytes(raw)).hexdigest()}@no-message-id.aftercare>"


def _date(value: str | None, problems: list[str]) -> datetime | None:
    if value is None:
        problems.append("no_date")
        return None
    try:
        moment = email.utils.parsedate_to_datetime(clean(str(value)).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append("invalid_date")
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _bounded_text(text: str, limit: int, problem: str, problems: list[str]) -> str:
    if len(text) <= limit:
        return text
    problems.append(problem)
    return text[:limit].rstrip()


def _bounded(problems: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(problems))[:MAX_PROBLEMS]
