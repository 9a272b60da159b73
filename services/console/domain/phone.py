"""What an engineer's phone sends: each action done in the field, with its own idempotency key and the
moment it was done (which may be long before the phone was back online), turned into the service call
that carries it out. Plain functions: the phone's form fields in, the call out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MOVES = frozenset({"accept", "arrive", "pause", "resume", "resolve"})
ITEM_FIELD = re.compile(r"^item:(?P<code>[^:]+):(?P<part>passed|value|note)$")


class NotAnAction(ValueError):
    """The phone sent something no service can carry out."""


@dataclass(frozen=True)
class QueuedAction:
    key: str
    kind: str  # move, results, escalate, swap, note
    target: str  # the ticket or the visit
    at: datetime
    action: str | None = None  # the move
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceCall:
    service: str
    path: str
    body: dict[str, Any]


def call_for(queued: QueuedAction) -> ServiceCall:
    """The call that carries the action out, with the field's own time wherever the service takes one."""
    given = {name: value.strip() for name, value in queued.fields.items() if value and value.strip()}
    if queued.kind == "move":
        if queued.action not in MOVES:
            raise NotAnAction(f"no move {queued.action!r}; a phone accepts, arrives, pauses, resumes or resolves")
        return ServiceCall("dispatch", f"/tickets/{queued.target}/{queued.action}", _move(queued.at, given))
    if queued.kind == "results":
        return ServiceCall(
            "dispatch",
            f"/inspections/visits/{queued.target}/results",
            {"items": _items(given), "done_at": queued.at.isoformat()},
        )
    if queued.kind == "escalate":
        body = {"reason": given.get("reason", ""), "findings": given.get("findings", "")}
        return ServiceCall("dispatch", f"/tickets/{queued.target}/escalate", body)
    if queued.kind == "swap":
        swap: dict[str, Any] = {"new_serial_number": given.get("new_serial_number", ""), "loaner": "loaner" in given}
        if "old_serial_number" in given:
            swap["old_serial_number"] = given["old_serial_number"]
        return ServiceCall("dispatch", f"/tickets/{queued.target}/swaps", swap)
    if queued.kind == "note":
        return ServiceCall("dispatch", f"/tickets/{queued.target}/notes", _note(queued.at, given))
    raise NotAnAction(f"no kind of action {queued.kind!r}")


def _note(at: datetime, given: dict[str, str]) -> dict[str, Any]:
    """A note with the moment it was written on the phone; for the customer only when the engineer chose so."""
    text = given.get("text", "").replace("\r\n", "\n")  # a browser sends a textarea's line breaks as two characters
    if not text:
        raise NotAnAction("a note needs its text")
    if given.get("for") not in {"staff", "customer"}:
        raise NotAnAction(f"a note is for the staff or for the customer, not {given.get('for')!r}")
    return {"text": text, "for_customer": given["for"] == "customer", "written_at": at.isoformat()}


def _move(at: datetime, given: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"at": at.isoformat()}
    if "reason" in given:
        body["reason"] = given["reason"]
    if "summary" in given:
        body["summary"] = given["summary"]
    if "parts" in given:
        body["parts"] = [line.strip() for line in given["parts"].splitlines() if line.strip()]
    if "customer_name" in given:
        body["confirmation"] = {
            "name": given["customer_name"],
            "role": given.get("customer_role"),
            "signature_png": given.get("signature_png", "").removeprefix("data:image/png;base64,") or None,
            "confirmed_at": at.isoformat(),
        }
    if "latitude" in given and "longitude" in given:
        body["position"] = {
            "latitude": float(given["latitude"]),
            "longitude": float(given["longitude"]),
            "accuracy_m": float(given["accuracy_m"]) if "accuracy_m" in given else None,
        }
    return body


def _items(given: dict[str, str]) -> list[dict[str, Any]]:
    """`item:<code>:passed` (yes/no), `item:<code>:value`, `item:<code>:note` into the checklist's results."""
    items: dict[str, dict[str, Any]] = {}
    for name, value in given.items():
        matched = ITEM_FIELD.match(name)
        if matched is None:
            continue
        item = items.setdefault(matched["code"], {"code": matched["code"]})
        if matched["part"] == "passed":
            item["passed"] = value == "yes"
        elif matched["part"] == "value":
            try:
                item["value"] = float(value)
            except ValueError as bad:
                raise NotAnAction(f"{matched['code']}: {value!r} is not a number") from bad
        else:
            item["note"] = value
    return list(items.values())
