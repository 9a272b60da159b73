"""A document's PDF rendition: the Chinese form with the document's own figures, read back with
pdftotext; the same document typesets to the same bytes; a machine without the CJK font is told so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.archive.domain.documents import Draft
from services.archive.domain.records import service_request_record
from services.archive.domain.story import Site
from services.archive.rendering import FontsMissing, Renderer, Sheet
from services.archive.settings import ArchiveSettings
from shared.contracts import TicketOpened
from testkit.documents import pdf_text
from testkit.samples import ticket_opened

ARCHIVED_AT = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def _sheet() -> Sheet:
    opened = ticket_opened(
        "HH138-20261125-0007",
        site_code="HH138",
        subsystem="bgm",
        description="L1 中庭自上午9点起无背景音乐",
        reported_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
    )
    draft = _record(opened)
    return Sheet(
        form=draft.form,
        code="HH138-2026-REC-000007",
        version=1,
        site_code=draft.site_code,
        site_name=draft.site_name,
        timezone=draft.timezone,
        archived_at=ARCHIVED_AT,
        sha256=draft.sha256,
        content=draft.content,
    )


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ArchiveSettings().font_paths)


async def test_the_service_request_record_reads_back_in_chinese_with_its_figures(renderer: Renderer) -> None:
    sheet = _sheet()
    text = pdf_text(await renderer.pdf(sheet))
    assert "服务请求记录单" in text
    assert "Service request record" in text
    assert "HH138-2026-REC-000007" in text
    assert "HH138-20261125-0007" in text
    assert "L1 中庭自上午 9 点起无背景音乐" in text  # pdftotext spaces latin runs inside Chinese
    assert "2026-11-25 09:00" in text  # reported, in the site's time
    assert "2026-11-25 10:30" in text  # archived, in the site's time
    assert sheet.sha256 in text


async def test_the_same_document_typesets_to_the_same_bytes(renderer: Renderer) -> None:
    assert await renderer.pdf(_sheet()) == await renderer.pdf(_sheet())


def test_without_the_cjk_font_the_service_says_what_to_install(tmp_path) -> None:
    with pytest.raises(FontsMissing, match="fonts-noto-cjk"):
        Renderer([str(tmp_path)])


def _record(opened: TicketOpened) -> Draft:
    return service_request_record(opened, Site(opened.site_code, opened.site_name, opened.site_timezone))
