"""`vendor.escalation.progressed` as the vendor service publishes it now and as it did before: a repair's
parts are a list of their own, and an event published before they were (its parts joined into one text of
its detail, perhaps still queued somewhere) is still read, its parts where it had them."""

from __future__ import annotations

from shared.contracts import VendorEscalationProgressed

BEFORE_PARTS_WERE_A_LIST = {
    "case_number": "VC-000123",
    "ticket_id": "HH138-20261125-0001",
    "partner": "acme",
    "step": "repaired",
    "at": "2026-11-25T11:00:00Z",
    "detail": {"summary": "Power supply board replaced.", "parts": "PSU board PS-100; Fuse T3.15A", "late": "true"},
}


def test_an_event_from_before_parts_were_a_list_is_still_read() -> None:
    event = VendorEscalationProgressed.model_validate(BEFORE_PARTS_WERE_A_LIST)
    assert event.parts == []
    assert event.detail["parts"] == "PSU board PS-100; Fuse T3.15A"


def test_the_parts_are_a_list_within_the_first_version_of_the_event() -> None:
    event = VendorEscalationProgressed.model_validate(
        {**BEFORE_PARTS_WERE_A_LIST, "detail": {"summary": "Power supply board replaced."}, "parts": ["PSU", "Fuse"]}
    )
    assert event.parts == ["PSU", "Fuse"]
    assert event.schema_version == 1  # an optional field added: no new version for the consumers to learn
