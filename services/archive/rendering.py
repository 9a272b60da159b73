"""The PDF rendition of a document: its form (a Typst template in `forms/`) filled with the document's
data and typeset in a CJK font.

Typst (the `typst` package from PyPI) typesets a form in a few milliseconds once its fonts are loaded,
produces the same bytes for the same data and time, and keeps the forms as plain text files beside the
code. The compiler and its fonts are loaded once per process and work on a thread of their own, one
document at a time, so the event loop keeps serving while a document is typeset.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typst

FORMS = Path(__file__).parent / "forms"
CJK_FONT = "Noto Sans CJK SC"


JPEG_START = b"\xff\xd8\xff"  # Typst reads a picture by its file's extension: a photo's, or a signature's PNG


class FontsMissing(RuntimeError):
    """The CJK font the forms are set in is not where the settings say."""


@dataclass(frozen=True)
class Sheet:
    """What a form is filled with."""

    form: str
    code: str
    version: int
    site_code: str
    site_name: str
    timezone: str
    archived_at: datetime
    sha256: str
    content: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)
    reading: Reading | None = None

    def data(self, image_paths: dict[str, str]) -> str:
        local = self.archived_at.astimezone(ZoneInfo(self.timezone))
        reading = {} if self.reading is None else self.reading.data()
        return json.dumps(
            {
                "code": self.code,
                "version": self.version,
                "site": {"code": self.site_code, "name": self.site_name},
                "archived_at_local": local.strftime("%Y-%m-%d %H:%M"),
                "sha256": self.sha256,
                "content": self.content,
                "images": image_paths,
                **reading,
            },
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Reading:
    """What makes a sheet a reading copy (reading.py): its reader's language, the words for the codes
    in that language, and the SHA-256 of the filed original it copies. A filed document's sheet has none
    and typesets bilingual, as it always did."""

    language: str
    words: dict[str, dict[str, str]]
    original_sha256: str

    def data(self) -> dict[str, Any]:
        return {"lang": self.language, "words": self.words, "original_sha256": self.original_sha256}


class Renderer:
    def __init__(self, font_paths: list[str]) -> None:
        found = [path for folder in font_paths for path in Path(folder).glob("*CJK*")]
        if not found:
            raise FontsMissing(
                f"no CJK font in {', '.join(font_paths)}: install Debian's fonts-noto-cjk "
                "(scripts/debian-packages does) or set ARCHIVE_FONT_PATHS"
            )
        self._font_paths = font_paths
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst", initializer=_named_typesetter)
        self._compiler: typst.Compiler | None = None

    async def pdf(self, sheet: Sheet) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._typeset, sheet)

    def _typeset(self, sheet: Sheet) -> bytes:
        if self._compiler is None:
            # Rooted at / so that a form may show a picture from a temporary file (a signature).
            self._compiler = typst.Compiler(root="/", font_paths=self._font_paths, ignore_system_fonts=True)
        template = FORMS / f"{sheet.form}.typ"
        if not template.exists():
            raise ValueError(f"no form {sheet.form!r} in {FORMS}")
        with tempfile.TemporaryDirectory(prefix="aftercare-form-") as folder:
            paths = {}
            for name, image in sheet.images.items():
                path = Path(folder) / f"{name}.{'jpg' if image.startswith(JPEG_START) else 'png'}"
                path.write_bytes(image)
                paths[name] = str(path)
            pdf = self._compiler.compile(
                input=str(template),
                sys_inputs={"data": sheet.data(paths)},
                timestamp=int(sheet.archived_at.timestamp()),
            )
        assert isinstance(pdf, bytes)
        return pdf


def _named_typesetter() -> None:
    """Give the typesetting thread a name the system shows (`typesetter` in /proc/<pid>/task/*/comm,
    `top -H`), so that its CPU can be told apart from the rest of the archive's (bench/load.py does)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_NAME, b"typesetter", 0, 0, 0)


PR_SET_NAME = 15  # prctl(2), Linux


@functools.cache
def renderer_for(font_paths: tuple[str, ...]) -> Renderer:
    """The process's one renderer for these fonts: consumers, workers and requests share its compiler,
    since each compiler holds the CJK fonts in memory."""
    return Renderer(list(font_paths))
