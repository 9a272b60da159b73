"""Reading the archive's PDFs back as a person would: their text, by poppler's pdftotext."""

from __future__ import annotations

import subprocess


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, laid out as on the page (`pdftotext -layout`)."""
    command = ["pdftotext", "-layout", "-", "-"]  # poppler-utils, which make test installs
    done = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=30)  # noqa: S603
    return done.stdout.decode()
