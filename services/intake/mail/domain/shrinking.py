"""A customer's photo made small enough to travel with its ticket (pure: bytes in, bytes out).

Phones attach photos of 3-12 MB, 4000 px and more a side, turned by an EXIF tag rather than in their
pixels. A ticket's report shows them at a few centimetres, and a message on the broker is at most 1 MiB:
so each becomes a JPEG turned upright, in RGB, at most MAX_SIDE pixels a side, its quality stepped down
(and at last its size) until it fits the bound. Its metadata (the phone, the place it was taken) is not
carried over. A picture Pillow cannot read (HEIC, a cut-off file) is refused as `unreadable`; one of more
pixels than its format's bound as `too_big` before it is decoded (a 260 kB PNG can unpack to gigabytes).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600  # as the engineer's phone resizes its photos (the archive takes up to 4096)
# A JPEG is decoded scaled down (draft mode: 1/2 to 1/8 of its sides), so a 64 MP camera's photo costs
# what 4-16 MP cost; any other format (PNG, WebP, GIF, TIFF) is decoded whole, in a few bytes a pixel: 24 MP
# is a 6K screen's screenshot or a phone's long one, and costs at most ~100 MB.
MAX_JPEG_PIXELS = 64_000_000
MAX_PIXELS = 24_000_000
QUALITIES = (85, 75, 65, 55, 45)
SMALLEST_SIDE = 320  # a picture that fits only smaller than this is not worth keeping


class NotShrunk(Exception):
    """The picture could not be made a photo within the bound; `reason` says why (unreadable, too_big)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def shrunk(data: bytes, *, max_bytes: int, max_side: int = MAX_SIDE) -> bytes:
    """The picture as an upright RGB JPEG of at most `max_side` pixels a side and `max_bytes` bytes."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            scaled_down = opened.format in ("JPEG", "MPO")  # MPO: a JPEG with more images in it (iPhone HDR)
            if width * height > (MAX_JPEG_PIXELS if scaled_down else MAX_PIXELS):
                raise NotShrunk("too_big", f"{width}x{height} pixels")
            # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that still covers `max_side`: cheaper.
            opened.draft("RGB", (max_side, max_side))
            picture = _upright_rgb(opened)
    except NotShrunk:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise NotShrunk("unreadable", f"{type(error).__name__}: {error}") from error
    side = max_side
    while side >= SMALLEST_SIDE:
        fitted = picture.copy()
        fitted.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in QUALITIES:
            encoded = _jpeg(fitted, quality)
            if len(encoded) <= max_bytes:
                return encoded
        side = side * 3 // 4
    raise NotShrunk("too_big", f"no JPEG of it fits {max_bytes} bytes")


def _upright_rgb(opened: Image.Image) -> Image.Image:
    """Turned as its EXIF orientation says; transparency over white (a screenshot's), not black."""
    upright = ImageOps.exif_transpose(opened)
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return upright.convert("RGB")


def _jpeg(picture: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
