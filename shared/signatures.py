"""A handwritten signature as people's phones send it: a PNG image in base64, of a bounded size."""

from __future__ import annotations

import base64

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 256 * 1024


def png_in_base64(value: str | None, field: str = "signature_png") -> str | None:
    """The value unchanged if it is a PNG in base64 of at most MAX_SIGNATURE_BYTES; else ValueError
    saying which of these it is not."""
    if value is None:
        return None
    try:
        image = base64.b64decode(value, validate=True)
    except ValueError as error:
        raise ValueError(f"{field} must be a PNG image in base64") from error
    if not image.startswith(PNG_MAGIC):
        raise ValueError(f"{field} must be a PNG image in base64 (it is not a PNG)")
    if len(image) > MAX_SIGNATURE_BYTES:
        raise ValueError(f"{field} is {len(image)} bytes; at most {MAX_SIGNATURE_BYTES}")
    return value
