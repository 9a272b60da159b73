"""What the engineer's phone sends, turned into the service calls that carry it out: moves with the
field's own moment, the position at check-in and the customer's signature; checklist results; an
escalation and a swap; a note with the moment it was written; and what no service can carry out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.console.domain.phone import NotAnAction, QueuedAction, call_for

AT = datetime(2026, 11, 27, 9, 41, 7, tzinfo=UTC)


def test_an_arrival_carries_its_moment_and_the_phones_position() -> None:
    fields = {"latitude": "31.2197", "longitude": "121.4734", "accuracy_m": "20"}
    call = call_for(QueuedAction("k-00000001", "move", "HH138-20261127-0001", AT, "arrive", fields))
    assert (call.service, call.path) == ("dispatch", "/tickets/HH138-20261127-0001/arrive")
    assert call.body == {
        "at": "2026-11-27T09:41:07+00:00",
        "position": {"latitude": 31.2197, "longitude": 121.4734, "accuracy_m": 20.0},
    }
    blind = call_for(QueuedAction("k-00000002", "move", "T-1", AT, "arrive", {}))
    assert blind.body == {"at": "2026-11-27T09:41:07+00:00"}  # no position: dispatch flags it


def test_a_resolution_carries_the_report_and_the_customers_signature() -> None:
    fields = {
        "summary": " Fuse replaced ",
        "parts": "Fuse 5A\n\nCable tie\n",
        "customer_name": "徐静",
        "signature_png": "data:image/png;base64,iVBORw0KGgo=",
        "customer_role": "",
    }
    body = call_for(QueuedAction("k-00000003", "move", "T-1", AT, "resolve", fields)).body
    assert body["summary"] == "Fuse replaced"
    assert body["parts"] == ["Fuse 5A", "Cable tie"]
    assert body["confirmation"] == {
        "name": "徐静",
        "role": None,
        "signature_png": "iVBORw0KGgo=",
        "confirmed_at": "2026-11-27T09:41:07+00:00",
    }


def test_checklist_results_escalations_and_swaps() -> None:
    fields = {"item:amp:passed": "yes", "item:amp:note": "ok", "item:level:value": "70.5", "item:paging:passed": "no"}
    call = call_for(QueuedAction("k-00000004", "results", "V-1", AT, None, fields))
    assert (call.path, call.body["done_at"]) == ("/inspections/visits/V-1/results", "2026-11-27T09:41:07+00:00")
    assert call.body["items"] == [
        {"code": "amp", "passed": True, "note": "ok"},
        {"code": "level", "value": 70.5},
        {"code": "paging", "passed": False},
    ]
    escalate = call_for(
        QueuedAction("k-00000005", "escalate", "T-1", AT, None, {"reason": "repair", "findings": "PSU"})
    )
    assert (escalate.path, escalate.body) == ("/tickets/T-1/escalate", {"reason": "repair", "findings": "PSU"})
    swap = call_for(QueuedAction("k-00000006", "swap", "T-1", AT, None, {"new_serial_number": "SN-9", "loaner": "yes"}))
    assert swap.body == {"new_serial_number": "SN-9", "loaner": True}


def test_a_note_carries_the_moment_it_was_written_and_who_reads_it() -> None:
    fields = {"text": " Amplifier fan noisy\r\nreplace next visit ", "for": "staff"}
    call = call_for(QueuedAction("k-00000008", "note", "T-1", AT, None, fields))
    assert (call.service, call.path) == ("dispatch", "/tickets/T-1/notes")
    assert call.body == {
        "text": "Amplifier fan noisy\nreplace next visit",
        "for_customer": False,
        "written_at": "2026-11-27T09:41:07+00:00",
    }
    told = call_for(QueuedAction("k-00000009", "note", "T-1", AT, None, {"text": "Parts ordered", "for": "customer"}))
    assert told.body["for_customer"] is True


@pytest.mark.parametrize(
    ("kind", "action", "fields", "why"),
    [
        ("move", "close", {}, "no move 'close'"),
        ("teleport", None, {}, "no kind of action 'teleport'"),
        ("results", None, {"item:level:value": "loud"}, "level: 'loud' is not a number"),
        ("note", None, {"text": "  ", "for": "staff"}, "a note needs its text"),
        ("note", None, {"text": "hello"}, "for the staff or for the customer, not None"),
    ],
)
def test_what_no_service_can_carry_out(kind: str, action: str | None, fields: dict[str, str], why: str) -> None:
    with pytest.raises(NotAnAction, match=why):
        call_for(QueuedAction("k-00000007", kind, "T-1", AT, action, fields))
