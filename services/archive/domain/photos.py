"""Photos from the engineer's phone: what is taken (a JPEG or PNG of sensible size, which a PDF can
show), and who may add one to a ticket (the engineer it is assigned to, or a manager)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PIL import Image, UnidentifiedImageError

from shared.refusals import Refused

MAX_BYTES = 4 * 1024 * 1024
MAX_SIDE = 4096  # the phone resizes to 1600; a camera original is refused, not stored
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoKind(StrEnum):
    BEFORE = "before"
    AFTER = "after"
    LABEL = "label"  # the device's nameplate: model and serial number
    REPORTED = "from_customer"  # the problem as the customer saw it, sent with their own request


@dataclass(frozen=True)
class Photo:
    kind: PhotoKind
    taken_at: datetime
    media_type: str
    width: int
    height: int
    sha256: str
    content: bytes


def checked(content: bytes, kind: PhotoKind, taken_at: datetime) -> Photo:
    """The photo if it is one the report can show; else Refused saying what is wrong with it."""
    if len(content) > MAX_BYTES:
        raise Refused("photo_too_large", f"a photo is at most {MAX_BYTES // (1024 * 1024)} MB; resize it first")
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            found, (width, height) = image.format, image.size
        if max(width, height) > MAX_SIDE:
            raise Refused("photo_too_large", f"{width}x{height}: at most {MAX_SIDE} pixels a side; resize it first")
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() leaves a JPEG's data unread: a picture cut short shows here
    except Image.DecompressionBombError as bomb:
        raise Refused("photo_too_large", "the picture is far too large for a photo; resize it first") from bomb
    except (UnidentifiedImageError, OSError, SyntaxError) as unreadable:
        raise Refused("not_a_photo", "the body is not a readable JPEG or PNG image") from unreadable
    if found not in FORMATS:
        raise Refused("not_a_photo", f"a photo is a JPEG or a PNG, not {found}")
    return Photo(kind, taken_at, FORMATS[found], width, height, hashlib.sha256(content).hexdigest(), content)


def may_add(
    kind: PhotoKind, assigned_engineer: str | None, engineer_id: str | None, *, manager: bool, customer: bool
) -> bool:
    """A manager may add photos to any ticket; an engineer to the tickets assigned to them; the customer's
    representative the photos of what they report (to their own site's tickets: the access rule)."""
    if customer:
        return kind is PhotoKind.REPORTED
    return manager or (engineer_id is not None and engineer_id == assigned_engineer)


CUSTOMER_PHOTOS = 3
"""How many photos of what they report a customer adds to one ticket (the report's form offers as many)."""


def check_customer_photo(kept: int, *, finished: bool) -> None:
    """A customer's photo of the problem: while the ticket is still worked on, and a few of them (they go
    into the service report the customer signs, as the engineer's do)."""
    if finished:
        raise Refused("ticket_finished", "the ticket is resolved or closed: report the problem again if it is back")
    if kept >= CUSTOMER_PHOTOS:
        raise Refused("too_many_photos", f"a ticket keeps at most {CUSTOMER_PHOTOS} photos from the customer")
