"""The archive's rules, without broker or database: document codes, canonical content and its
checksum, and the record drawn up from an opened ticket."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from services.archive.domain.documents import Category, Draft, canonical_json, document_code
from services.archive.domain.records import service_request_record
from services.archive.domain.story import Site
from shared.contracts import DeviceRef, Priority, TicketOpened
from testkit.samples import ticket_opened

# A high-priority amplifier fault, reported in Chinese.
AMPLIFIER_FAULT: dict[str, Any] = {
    "device": DeviceRef(asset_tag="HH138-BGM-AMP-01", model="Bosch PLENA PLE-2MA240", manufacturer="bosch"),
    "priority": Priority.HIGH,
    "description": "背景音乐没有声音",
}


def test_a_code_reads_site_year_category_and_a_six_digit_sequence() -> None:
    assert document_code("HH138", 2026, Category.REPORT, 123) == "HH138-2026-RPT-000123"
    assert document_code("HH138", 2027, Category.RECORD, 1) == "HH138-2027-REC-000001"


@pytest.mark.parametrize(
    ("category", "printed"),
    [
        (Category.PLAN, "PLN"),
        (Category.REPORT, "RPT"),
        (Category.CONFIRMATION, "CFM"),
        (Category.RECORD, "REC"),
        (Category.FOLLOW_UP, "FUP"),
        (Category.REGISTER, "REG"),
    ],
)
def test_each_category_prints_its_own_three_letters(category: Category, printed: str) -> None:
    """The letters end up on paper forms; changing one would break every code already issued."""
    assert document_code("HH138", 2026, category, 7) == f"HH138-2026-{printed}-000007"


def test_canonical_json_does_not_depend_on_key_order() -> None:
    one = {"b": 1, "a": {"d": [3, {"y": 2, "x": 1}], "c": None}}
    other = {"a": {"c": None, "d": [3, {"x": 1, "y": 2}]}, "b": 1}
    assert canonical_json(one) == canonical_json(other) == b'{"a":{"c":null,"d":[3,{"x":1,"y":2}]},"b":1}'


def test_canonical_json_keeps_chinese_text_as_utf8() -> None:
    assert canonical_json({"description": "背景音乐"}) == '{"description":"背景音乐"}'.encode()


def test_a_drafts_checksum_is_the_sha256_of_its_exact_bytes() -> None:
    draft = Draft(
        category=Category.RECORD,
        title="A record",
        site_code="HH138",
        site_name="Huaihai 138",
        timezone="Asia/Shanghai",
        year=2026,
        ticket_id=None,
        source="test",
        form="service_request_record",
        content={"z": "last", "a": "背景音乐"},
    )
    assert draft.body == canonical_json(draft.content)
    assert draft.sha256 == hashlib.sha256(draft.body).hexdigest()
    reordered = Draft(**{**draft.__dict__, "content": {"a": "背景音乐", "z": "last"}})
    assert reordered.sha256 == draft.sha256


def test_a_request_record_is_filed_under_the_sites_local_year() -> None:
    """17:00 UTC on New Year's Eve is already 01:00 on 1 January 2027 in Shanghai."""
    reported_at = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    draft = _record(ticket_opened(reported_at=reported_at, **AMPLIFIER_FAULT))
    assert draft.year == 2027
    assert draft.content["reported_at_local"] == "2027-01-01T01:00:00+08:00"
    assert _record(ticket_opened(reported_at=reported_at, site_timezone="UTC")).year == 2026


def test_a_request_record_says_who_reported_what_when_and_how() -> None:
    opened = ticket_opened(reported_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), **AMPLIFIER_FAULT)
    draft = _record(opened)
    assert (draft.category, draft.site_code, draft.ticket_id, draft.source) == (
        Category.RECORD,
        "HH138",
        opened.ticket_id,
        "ticket.opened",
    )
    content = json.loads(draft.body)
    assert content["form"] == "service_request_record"
    assert content["reporter"] == {"name": "Ms. Xu", "phone": "+86 21 5555 0101", "email": None, "organisation": None}
    assert content["device"]["asset_tag"] == "HH138-BGM-AMP-01"
    assert (content["kind"], content["priority"], content["channel"]) == ("fault", "high", "hotline")
    assert content["description"] == "背景音乐没有声音"
    assert content["reported_at_local"] == "2026-11-25T10:00:00+08:00"


def _record(opened: TicketOpened) -> Draft:
    return service_request_record(opened, Site(opened.site_code, opened.site_name, opened.site_timezone))
