"""What a site's customer sees of dispatch's tickets (the rule for events is shared/contracts/visibility.py;
these are dispatch's own rows). The customer follows their ticket's life: who holds it, each move and when,
the work done and the answer to a complaint. How dispatch decided and what staff wrote to each other is
not theirs: why nobody was free, the rule that chose the engineer, a manager's reason for a reassignment,
the arrival check's distance, the vendor's case, the quality desk's scores.

Allowlists: a column or history action added later is the staff's until decided otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TICKET_FIELDS = frozenset(
    {
        "ticket_id", "site_code", "subsystem", "kind", "priority", "status", "reported_at", "opened_at", "reporter",
        "device", "coverage", "appointment_starts", "appointment_ends", "appointment_agreed_with", "engineer_id",
        "engineer_name", "assigned_at", "found_at", "links",
    }
)  # fmt: skip
LINK_FIELDS = frozenset({"linked_ticket_id", "relation", "linked_at"})  # who linked them and why are the staff's

# History actions the customer sees, and whether with their note. Not named: staff only (await, at_risk,
# escalate, vendor_case_ended: how dispatch found nobody, the clock's warning, the vendor's case).
HISTORY_NOTES: dict[str, bool] = {
    "assign": False,  # the manager's reason for a reassignment, or the rule that chose
    "route": False,
    "reclassify": False,
    "accept": True,
    "arrive": False,  # the arrival check: how far from the site the phone said it was
    "pause": True,  # a reason code of the contract's
    "resume": True,
    "resolve": True,  # the work done, as the customer signs for it; or the answer to their complaint
    "reopen": False,
    "close": False,
    "swap_device": False,  # serials are in the register; RMA and case numbers are the vendor's
    "note_for_customer": True,  # written for them (tickets/notes.py); an internal `note` is not theirs
    "comment": True,  # their own
    # The other ticket's number (tickets/links.py): their complaint's job, the ticket their report joined.
    "about": True,
    "complained_of": True,
    "merged_into": True,
    "joined_by": True,
}

ESCALATION_FIELDS = frozenset({"escalation_id", "ticket_id", "reason", "status", "created_at", "closed_at"})
FOLLOW_UP_FIELDS = frozenset({"ticket_id", "cycle", "called_at", "reached", "answered_by"})


def ticket(row: Mapping[str, Any]) -> dict[str, Any]:
    shown = {name: value for name, value in row.items() if name in TICKET_FIELDS}
    if "links" in shown:
        shown["links"] = [{k: v for k, v in link.items() if k in LINK_FIELDS} for link in shown["links"]]
    return shown


# Actions whose actor is the staff's: who linked tickets (as on `ticket.linked`).
ACTOR_HIDDEN = frozenset({"about", "complained_of", "merged_into", "joined_by"})


def history(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "note": row.get("note") if HISTORY_NOTES[row["action"]] else None,
            **({"actor": None} if row["action"] in ACTOR_HIDDEN else {}),
            "facts": row.get("facts") if HISTORY_NOTES[row["action"]] else None,  # the note's, as codes
        }
        for row in rows
        if row.get("action") in HISTORY_NOTES
    ]


def escalations(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{name: value for name, value in row.items() if name in ESCALATION_FIELDS} for row in rows]


def follow_up_calls(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """That the integrator called back, and when, or that they answered themselves: the scores and
    notes are the quality desk's."""
    return [{name: value for name, value in row.items() if name in FOLLOW_UP_FIELDS} for row in rows]
