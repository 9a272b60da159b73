"""What the hotline keeps of a mail's files (pure): its photos, shrunk, to become its ticket's photos; its other
files (a PDF of the alarm log, a spreadsheet) as they came, for the office to open with the mail.

Both are bounded, and a file not kept says why, so that the sender can be told: a mail keeps at most
MAX_PHOTOS photos (as many as the archive keeps of a customer's on one ticket; the first ones, in the
mail's order, that could be read) and MAX_FILES_BYTES of other files together (the first ones that fit).
A file the reading refused already (too big, too many, unreadable: domain/attachments.py) stays refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.intake.mail.domain.reading import Attachment
from services.intake.mail.domain.shrinking import NotShrunk

MAX_PHOTOS = 3  # the archive's CUSTOMER_PHOTOS: more would not be kept with the ticket anyway
MAX_FILES_BYTES = 10 * 1024 * 1024  # the other files of one mail, together

# Why a file is not kept, each as the acknowledgement says it (templates/acknowledgement.zh.txt).
TOO_MANY_PHOTOS = "too_many_photos"
TOO_BIG_TOGETHER = "too_big_together"


@dataclass(frozen=True)
class KeptFile:
    """One of the mail's files (`number`: its place in the mail's list of files, from 0)."""

    number: int
    filename: str
    content_type: str  # as declared; image/jpeg for a photo (its shrunk JPEG)
    content: bytes | None  # None when not kept
    is_photo: bool
    refused_because: str | None


def keep(attachments: Sequence[Attachment], shrink: Callable[[bytes], bytes]) -> list[KeptFile]:
    """Each of the mail's files, kept (a photo as `shrink` makes it) or refused with why, in the mail's order."""
    photos = 0
    files_bytes = 0
    kept: list[KeptFile] = []
    for number, attachment in enumerate(attachments):
        content: bytes | None = None
        why = attachment.refused_because
        if why is None and attachment.data is None:
            why = "unreadable"
        elif why is None and attachment.is_photo:
            if photos >= MAX_PHOTOS:
                why = TOO_MANY_PHOTOS
            else:
                try:
                    content = shrink(attachment.data or b"")
                    photos += 1
                except NotShrunk as refused:
                    why = refused.reason
        elif why is None:
            if files_bytes + attachment.size > MAX_FILES_BYTES:
                why = TOO_BIG_TOGETHER
            else:
                content = attachment.data
                files_bytes += attachment.size
        kept.append(
            KeptFile(
                number=number,
                filename=attachment.filename,
                content_type="image/jpeg" if attachment.is_photo and content is not None else attachment.content_type,
                content=content,
                is_photo=attachment.is_photo,
                refused_because=why,
            )
        )
    return kept
