"""Which of a mail's files are the ticket's photos, and which are refused (pure).

A photo is told by its first bytes, not by its declared type (phones send HEIC as application/octet-stream,
some clients JPEGs as image/jpg or image/pjpeg). An inline picture (<img src="cid:...">) is a photo only if
it shows in the new words and is not tiny: the signature's logo (typically 2-8 kB) and the pictures of the
quoted history come along with every reply, and would otherwise be taken for new photos each time. A
picture attached inline but shown nowhere (Apple Mail's inline attachments) is a photo like any other.

When there are more files than the limit allows, new photos are kept first, then other files, then the
pictures that are not photos; the refused ones stay in the list (without their bytes) so that nothing is
lost silently. `is_photo` says what a file is, refused or not; only an admitted one has its bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL_INLINE_BYTES = 10 * 1024  # an inline picture below this is a logo or an icon, not a photo

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def picture_kind(data: bytes | None) -> str | None:
    """jpeg, png, webp or heif when `data` starts like one, else None."""
    if not data:
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and (data[8:12] in _HEIF_BRANDS or any(b in data[16:48] for b in _HEIF_BRANDS)):
        return "heif"
    return None


@dataclass(frozen=True)
class Found:
    """A file as found in the mail, before the limits."""

    filename: str
    content_type: str
    size: int  # after transfer decoding; estimated from the encoded size when it was too big to decode
    data: bytes | None  # None when too big to decode or unreadable
    head: bytes  # its first bytes (also of one too big to decode), to tell a picture by
    content_id: str  # "" when it has none
    unreadable: bool = False


@dataclass(frozen=True)
class Decision:
    found: Found
    is_photo: bool
    refused_because: str | None


def _is_photo(found: Found, shown: frozenset[str], shown_in_words: frozenset[str]) -> bool:
    if picture_kind(found.head) is None:
        return False
    if found.content_id and found.content_id in shown:
        return found.content_id in shown_in_words and found.size >= SMALL_INLINE_BYTES
    return True


def admit(
    files: list[Found],
    *,
    max_bytes: int,
    max_count: int,
    shown: frozenset[str] = frozenset(),
    shown_in_words: frozenset[str] = frozenset(),
) -> list[Decision]:
    """Each file with whether it is a photo and why it is refused, in the mail's order.

    `shown` are the Content-IDs the HTML shows anywhere, `shown_in_words` those it shows in the new words."""
    photos = [_is_photo(found, shown, shown_in_words) for found in files]
    refused: list[str | None] = []
    for found in files:
        if found.unreadable:
            refused.append("unreadable")
        elif found.size > max_bytes or found.data is None:
            refused.append("too_big")
        else:
            refused.append(None)

    def rank(index: int) -> int:
        found = files[index]
        if photos[index]:
            return 0
        return 2 if picture_kind(found.head) is not None else 1

    kept = 0
    for index in sorted((i for i, why in enumerate(refused) if why is None), key=lambda i: (rank(i), i)):
        if kept >= max_count:
            refused[index] = "too_many"
        else:
            kept += 1
    return [
        Decision(found=found, is_photo=photo, refused_because=why)
        for found, photo, why in zip(files, photos, refused, strict=True)
    ]
