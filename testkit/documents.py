"""Reading the archive's PDFs back as a person would (their text, by poppler's pdftotext), and a
signature as the engineer's phone would capture it."""

from __future__ import annotations

import math
import struct
import subprocess
import tempfile
import zlib


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, laid out as on the page (`pdftotext -layout`)."""
    command = ["pdftotext", "-layout", "-", "-"]  # poppler-utils, which make test installs
    done = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=30)  # noqa: S603
    return done.stdout.decode()


def pdf_images(pdf: bytes) -> list[str]:
    """The pictures a PDF shows, a line each as `pdfimages -list` gives them (page, size, colour ...)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        command = ["pdfimages", "-list", file.name]  # poppler-utils, as pdftotext
        done = subprocess.run(command, capture_output=True, check=True, timeout=30)  # noqa: S603
    return [line for line in done.stdout.decode().splitlines()[2:] if line.strip()]


def signature_png(width: int = 240, height: int = 80) -> bytes:
    """A small black-on-white PNG with a stroke across it, as a signature pad would give."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            on_stroke = abs(y - (height // 2 + int(18 * math.sin(x / 14)))) <= 1
            row.append(0 if on_stroke else 255)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
