"""IMAP's syntax, both ways (RFC 3501 section 9): a response read into tokens, strings and folder names
written so that the server reads them as meant. Pure: no I/O."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

Token = bytes | list["Token"]


class Literal(bytes):
    """A literal's bytes: sent as `{n}` and the bytes, read as they came (never parsed as text)."""


Response = list[bytes]  # a response's text pieces, with each literal's bytes (a Literal) where it stood

_ATOM_ENDS = frozenset(b" ()")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_TIME = re.compile(rb"^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$")


@dataclass(frozen=True)
class Selected:
    uidvalidity: int
    exists: int
    permanent_flags: tuple[str, ...]

    @property
    def keywords_allowed(self) -> bool:
        """Whether the server keeps keywords of the client's choosing on this folder (`\\*`)."""
        return "\\*" in self.permanent_flags


@dataclass(frozen=True)
class Fetched:
    uid: int
    size: int | None = None
    body: bytes | None = None  # BODY[] or BODY[HEADER], whichever was asked for
    flags: tuple[str, ...] = field(default=())
    internal_date: datetime | None = None  # INTERNALDATE: when the server received the mail


def selected_of(untagged: list[bytes], folder: str) -> Selected:
    """What SELECT's untagged answers say of the folder."""
    text = b"\n".join(untagged)
    validity = re.search(rb"\[UIDVALIDITY (\d+)\]", text)
    exists = re.search(rb"^\* (\d+) EXISTS", text, re.MULTILINE)
    flags = re.search(rb"\[PERMANENTFLAGS \(([^)]*)\)\]", text)
    if validity is None:
        raise ValueError(f"SELECT {folder} gave no UIDVALIDITY")
    return Selected(
        uidvalidity=int(validity[1]),
        exists=int(exists[1]) if exists else 0,
        permanent_flags=tuple(flags[1].decode().split()) if flags else (),
    )


def fetched_of(response: Response) -> Fetched | None:
    """One FETCH answer's UID, size, flags and body; None for anything else said in passing (EXISTS)."""
    tokens = parse(response)
    if len(tokens) < 4 or tokens[2] != b"FETCH" or not isinstance(tokens[3], list):
        return None
    values = dict(zip(tokens[3][::2], tokens[3][1::2], strict=False))
    uid, size, flags = values.get(b"UID"), values.get(b"RFC822.SIZE"), values.get(b"FLAGS")
    internal_date = values.get(b"INTERNALDATE")
    body = next((v for k, v in values.items() if isinstance(k, bytes) and k.startswith(b"BODY[")), None)
    if not isinstance(uid, bytes):
        return None
    return Fetched(
        uid=int(uid),
        size=int(size) if isinstance(size, bytes) else None,
        body=body if isinstance(body, bytes) and body != b"NIL" else None,
        flags=tuple(f.decode() for f in flags if isinstance(f, bytes)) if isinstance(flags, list) else (),
        internal_date=date_time_of(internal_date) if isinstance(internal_date, bytes) else None,
    )


def date_time_of(text: bytes) -> datetime | None:
    """RFC 3501's date-time (`07-Dec-2026 14:35:12 +0800`, the day maybe space-padded) as an aware datetime;
    None for anything else (a server's odd date costs the mail its arrival time, never the mail)."""
    found = _DATE_TIME.match(text)
    month = found[2].decode().title() if found else ""
    if found is None or month not in _MONTHS:
        return None
    offset = timedelta(hours=int(found[8]), minutes=int(found[9])) * (-1 if found[7] == b"-" else 1)
    try:
        return datetime(
            int(found[3]), _MONTHS.index(month) + 1, int(found[1]), int(found[4]), int(found[5]), int(found[6]),
            tzinfo=timezone(offset),
        )  # fmt: skip
    except ValueError:  # 31-Feb, an hour of 25, an offset of a day or more
        return None


def date_time(moment: datetime) -> str:
    """An aware datetime as RFC 3501's quoted date-time, as APPEND takes it: `"07-Dec-2026 14:35:12 +0800"`."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("an IMAP date-time needs a time zone")
    minutes = int(offset.total_seconds()) // 60
    zone = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f'"{moment.day:02d}-{_MONTHS[moment.month - 1]}-{moment.year:04d} {moment:%H:%M:%S} {zone}"'


def parse(response: Response) -> list[Token]:
    """A response's tokens: atoms and strings as bytes (literals too), parenthesised lists as lists.
    `BODY[HEADER.FIELDS (A B)]` is one atom: brackets hold their spaces and parentheses."""
    stack: list[list[Token]] = [[]]
    for piece in response:
        if isinstance(piece, Literal):
            stack[-1].append(bytes(piece))
            continue
        i = 0
        while i < len(piece):
            char = piece[i]
            if char == ord(" "):
                i += 1
            elif char == ord("("):
                nested: list[Token] = []
                stack[-1].append(nested)
                stack.append(nested)
                i += 1
            elif char == ord(")"):
                if len(stack) > 1:
                    stack.pop()
                i += 1
            elif char == ord('"'):
                i, value = i + 1, bytearray()
                while i < len(piece) and piece[i] != ord('"'):
                    if piece[i] == ord("\\"):
                        i += 1
                    value += piece[i : i + 1]
                    i += 1
                stack[-1].append(bytes(value))
                i += 1
            else:
                start, depth = i, 0
                while i < len(piece) and (depth or piece[i] not in _ATOM_ENDS):
                    depth += {ord("["): 1, ord("]"): -1}.get(piece[i], 0)
                    i += 1
                stack[-1].append(piece[start:i])
    return stack[0]


def encode_folder(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): "已处理" is "&XfJZBHQG-"."""
    out: list[str] = []
    pending = ""
    for char in name + "\0":  # the NUL only ends the last run; it is never written
        if pending and (0x20 <= ord(char) <= 0x7E or char == "\0"):
            encoded = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append(f"&{encoded}-")
            pending = ""
        if char == "\0":
            break
        if 0x20 <= ord(char) <= 0x7E:
            out.append("&-" if char == "&" else char)
        else:
            pending += char
    return "".join(out)


def string(value: str) -> str | Literal:
    """A quoted string, or a literal when quoting cannot carry it (8-bit text, line breaks)."""
    if value.isascii() and "\r" not in value and "\n" not in value and "\0" not in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return Literal(value.encode())


def status_of(response: Response) -> bytes:
    """OK, NO or BAD, from a tagged response."""
    words = response[0].split(b" ", 2)
    return words[1].upper() if len(words) > 1 else b""


def text_of(response: Response) -> str:
    """A response as text for a log or an error, literals left out, bounded."""
    return b" ".join(p for p in response if not isinstance(p, Literal)).decode(errors="replace")[:300]
