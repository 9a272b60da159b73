"""Finding documents through the archive's API over the real broker and database: by words of their
text (Chinese included), by a device's serial number, by the days they were filed, and the site's
catalogue (档案目录) as JSON, CSV and XLSX that read back as listed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.contracts import DeviceRef
from shared.spreadsheets import SheetFormat, read_sheet
from testkit.broker import EventTap, send_envelopes
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World


async def test_documents_are_found_by_words_serial_and_day_and_listed_in_the_catalogue(
    seeded: World, tap: EventTap
) -> None:
    site = f"T{uuid.uuid4().hex[:6].upper()}"
    serial = f"BLU100-{uuid.uuid4().hex[:6].upper()}"
    reported = datetime.now(UTC) - timedelta(hours=2)
    tickets = {
        "dsp": opened_envelope(
            f"{site}-1",
            site_code=site,
            subsystem="av",
            description="活动大厅数字音频处理器反复重启",
            device=DeviceRef(asset_tag=f"{site}-AV-DSP-01", model="BLU-100", serial_number=serial),
            reported_at=reported,
        ),
        "music": opened_envelope(
            f"{site}-2", site_code=site, description="中庭背景音乐没有声音 since 9am", reported_at=reported
        ),
    }
    async with running(seeded, "archive") as suite:
        archive = suite["archive"].http
        await send_envelopes(seeded.amqp_url, list(tickets.values()))
        for envelope in tickets.values():
            await tap.wait_for("document.archived", envelope.correlation_id)

        async def found(**params: str) -> set[str]:
            answer = await archive.get("/documents", params={"site_code": site, **params})
            assert answer.status_code == 200, answer.text
            return {document["ticket_id"] for document in answer.json()}

        assert await found(q="背景音乐") == {f"{site}-2"}
        assert await found(q="音频处理器 重启") == {f"{site}-1"}  # every word must appear
        assert await found(q="音频处理器 背景音乐") == set()
        assert await found(q="SINCE 9AM") == {f"{site}-2"}  # any case
        assert await found(q="100%") == set()  # a wildcard is a character like any other
        assert await found(serial_number=serial.lower()) == {f"{site}-1"}
        today = datetime.now(UTC).date()
        assert await found(archived_from=today.isoformat(), archived_to=today.isoformat()) == {f"{site}-1", f"{site}-2"}
        assert await found(archived_to=(today - timedelta(days=1)).isoformat()) == set()
        as_a_timestamp = await archive.get("/documents", params={"site_code": site, "archived_to": "0"})
        assert (as_a_timestamp.status_code, as_a_timestamp.json()["error"]) == (422, "invalid_request")
        assert "YYYY-MM-DD" in as_a_timestamp.json()["detail"]  # not 1970-01-01, as pydantic would read it

        listed = (await archive.get(f"/sites/{site}/catalogue", params={"year": today.year})).json()
        assert [row["category"] for row in listed] == ["REC", "REC"]
        codes = [row["code"] for row in listed]
        assert codes == sorted(codes)

        for sheet_format in SheetFormat:

            async def exported(sheet_format: SheetFormat = sheet_format) -> bytes:
                answer = await archive.get(f"/sites/{site}/catalogue", params={"format": sheet_format.value})
                assert answer.status_code == 200, answer.text
                assert answer.headers["content-type"].startswith(sheet_format.media_type)
                return answer.content

            header, rows = read_sheet(await eventually(exported), sheet_format)
            assert header[0] == "档号 Code"
            assert [row[0] for row in rows] == codes
            assert {row[5] for row in rows} == {f"{site}-1", f"{site}-2"}
