"""G11: contracts stay compatible within a schema version, and the committed snapshots say so."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field

from shared.contracts import (
    CONTRACTS,
    Envelope,
    Event,
    RequestChannel,
    SlaClockStarted,
    StartedClock,
    TicketOpened,
    seal,
)
from shared.contracts.catalogue import SNAPSHOT_DIR, current_schemas, snapshot_problems, write_snapshots
from shared.contracts.compatibility import breaking_changes, unreadable_changes
from shared.contracts.notices import NoticeDecided
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from testkit.samples import ticket_opened


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Before(Event):
    message_type: ClassVar[str] = "test.thing"

    ticket_id: str
    count: int
    note: str | None = None
    colour: Colour = Colour.RED


def _schema(**fields: Any) -> dict[str, Any]:
    """The JSON Schema of a contract with these fields: name=type or name=(type, default)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "message_type": "test.thing"}
    for name, spec in fields.items():
        annotation, default = spec if isinstance(spec, tuple) else (spec, ...)
        annotations[name] = annotation
        if default is not ...:
            namespace[name] = default
    after: type[Event] = type("After", (Event,), namespace)
    return after.model_json_schema()


BEFORE = Before.model_json_schema()
BASE = {"ticket_id": str, "count": int, "note": (str | None, None), "colour": (Colour, Colour.RED)}


def test_the_same_contract_is_compatible() -> None:
    assert breaking_changes(BEFORE, _schema(**BASE)) == []


def test_a_new_optional_field_and_new_descriptions_are_compatible() -> None:
    after = _schema(**{**BASE, "extra": (int | None, None), "count": (int, Field(description="how many"))})
    assert breaking_changes(BEFORE, after) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"count": None}, "$.count: field removed (or renamed)"),
        ({"count": None, "amount": int}, "$.count: field removed (or renamed)"),
        ({"extra": int}, "$.extra: new required field"),
        ({"note": str}, "$.note: field became required"),
        ({"ticket_id": (str | None, None)}, "$.ticket_id: field became optional"),
        ({"count": str}, "$.count: 'type' changed from 'integer' to 'string'"),
        ({"count": (int, Field(ge=0))}, "$.count: 'minimum' changed from None to 0"),
        ({"note": (int | None, None)}, "$.note<anyOf0>: 'type' changed from 'string' to 'integer'"),
    ],
    ids=["removed", "renamed", "new-required", "became-required", "became-optional", "type", "narrowed", "nullable"],
)
def test_changes_a_consumer_could_trip_over_are_breaking(change: dict, expected: str) -> None:
    fields = {**BASE, **change}
    fields = {k: v for k, v in fields.items() if v is not None}
    assert expected in breaking_changes(BEFORE, _schema(**fields))


def test_a_changed_enum_is_breaking() -> None:
    class Wider(StrEnum):
        RED = "red"
        BLUE = "blue"
        GREEN = "green"

    problems = breaking_changes(BEFORE, _schema(**{**BASE, "colour": (Wider, Wider.RED)}))
    assert any("'enum' changed" in p for p in problems), problems


def test_a_new_version_reads_the_earlier_ones_payloads_only_when_it_widened_them() -> None:
    class Wider(StrEnum):
        RED = "red"
        BLUE = "blue"
        GREEN = "green"

    widened = {**BASE, "colour": (Wider, Wider.RED), "ticket_id": (str | None, None), "extra": (int | None, None)}
    assert unreadable_changes(BEFORE, _schema(**widened)) == []
    assert "$.count: 'type' changed from 'integer' to None" in unreadable_changes(
        BEFORE, _schema(**{**BASE, "count": (str | None, None)})
    )
    narrowed = {**BASE, "colour": (Narrower, Narrower.RED)}
    assert any("'enum' changed" in p for p in unreadable_changes(BEFORE, _schema(**narrowed)))
    assert "$.extra: new required field" in unreadable_changes(BEFORE, _schema(**{**BASE, "extra": int}))


class Narrower(StrEnum):
    RED = "red"


def test_a_message_of_a_version_read_as_it_is_reaches_the_newer_handler() -> None:
    handlers = MessageHandlers()

    @handlers.on(TicketOpened)
    async def opened(message: Envelope[TicketOpened], uow: UnitOfWork) -> None:  # pragma: no cover
        pass

    assert TicketOpened.versions_read() == (2, 1)
    newest = handlers.route("ticket.opened", 2)
    assert newest is not None
    assert handlers.route("ticket.opened", 1) == newest
    assert handlers.route("ticket.opened", 3) is None


def test_a_message_goes_under_the_lowest_version_whose_readers_read_it() -> None:
    hotline = ticket_opened()
    assert seal(hotline, producer="intake", correlation_id="T").schema_version == 1
    portal = hotline.model_copy(update={"channel": RequestChannel.PORTAL})
    assert seal(portal, producer="intake", correlation_id="T").schema_version == 2


def test_committed_snapshots_match_every_contract() -> None:
    assert snapshot_problems() == []
    read = sum(len(contract.reads_versions) for contract in CONTRACTS)  # earlier versions still read
    assert len(list(SNAPSHOT_DIR.glob("*.json"))) == len(CONTRACTS) + read + 1  # plus the envelope


def _snapshots_in(directory: Path) -> None:
    """Snapshots as committed: those the writer writes, and those of the earlier versions still read."""
    assert write_snapshots(directory) == []
    for contract in CONTRACTS:
        for version in contract.reads_versions:
            read = f"{contract.message_type}.v{version}.json"
            (directory / read).write_text((SNAPSHOT_DIR / read).read_text())


def test_a_breaking_change_is_refused_by_the_snapshot_writer(tmp_path: Path) -> None:
    _snapshots_in(tmp_path)
    name = "ticket.reclassified.v1.json"
    committed = json.loads((tmp_path / name).read_text())
    committed["properties"]["legacy_field"] = {"type": "string"}
    committed["required"].append("legacy_field")
    (tmp_path / name).write_text(json.dumps(committed))

    problems = snapshot_problems(tmp_path)
    assert problems == [f"{name}: breaking change within a schema version: $.legacy_field: field removed (or renamed)"]
    assert write_snapshots(tmp_path) == [f"{name}: $.legacy_field: field removed (or renamed)"]
    assert json.loads((tmp_path / name).read_text()) == committed  # left as it was


def test_every_contract_has_a_distinct_type_and_version() -> None:
    keys = [(c.message_type, c.schema_version) for c in CONTRACTS]
    assert len(keys) == len(set(keys))
    assert set(current_schemas()) == {f"{t}.v{v}.json" for t, v in keys} | {"envelope.v1.json"}


def _unbounded(node: Any, path: str) -> list[str]:
    """Where a schema admits a value of any length: strings, lists and maps without their bound."""
    if not isinstance(node, dict):
        return []
    found = []
    free_string = not ({"maxLength", "enum", "const", "format", "pattern"} & node.keys())
    if node.get("type") == "string" and free_string:
        found.append(path)
    if node.get("type") == "array" and "maxItems" not in node:
        found.append(f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict) and "maxProperties" not in node:
        found.append(f"{path}{{}}")
    for name, child in node.get("properties", {}).items():
        found += _unbounded(child, f"{path}.{name}")
    for keyword in ("items", "additionalProperties", "propertyNames"):
        found += _unbounded(node.get(keyword), f"{path}[]")
    for keyword in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(keyword, []):
            found += _unbounded(branch, path)
    return found


def test_every_field_of_every_contract_is_bounded() -> None:
    from shared.contracts.compatibility import _inline

    unbounded = [f"{name} {where}" for name, schema in current_schemas().items()
                 for where in _unbounded(_inline(schema, schema), "$") if where != "$.payload{}"]  # fmt: skip
    assert unbounded == []


def test_a_bound_added_within_a_version_is_written_only_when_accepted_and_nothing_else_is(tmp_path: Path) -> None:
    _snapshots_in(tmp_path)
    name = "ticket.closed.v1.json"
    committed = json.loads((tmp_path / name).read_text())
    del committed["properties"]["ticket_id"]["maxLength"]
    (tmp_path / name).write_text(json.dumps(committed))

    assert write_snapshots(tmp_path) == [f"{name}: $.ticket_id: bound added: 'maxLength' 120"]
    assert write_snapshots(tmp_path, accept_added_bounds=True) == []
    assert snapshot_problems(tmp_path) == []

    tightened = json.loads((tmp_path / name).read_text())
    del tightened["properties"]["ticket_id"]["maxLength"]
    tightened["properties"]["ticket_id"]["type"] = "integer"  # a real break beside the bound
    (tmp_path / name).write_text(json.dumps(tightened))
    refused = write_snapshots(tmp_path, accept_added_bounds=True)
    assert len(refused) == 2, refused
    assert any("'type' changed" in r for r in refused), refused


def test_notice_decided_describes_every_field_its_recipients_too() -> None:
    """What dispatch hands notify is read by people writing either side: no field left unexplained."""
    schema = NoticeDecided.model_json_schema()
    undescribed = [
        f"{model}.{name}"
        for model, properties in (("NoticeDecided", schema["properties"]),
                                  ("Recipient", schema["$defs"]["Recipient"]["properties"]))
        for name, field in properties.items()
        if not field.get("description")
    ]  # fmt: skip
    assert undescribed == []
    assert schema["properties"]["recipients"]["minItems"] == 1  # a notice is for someone


def test_each_clock_started_together_says_what_a_clock_started_alone_said() -> None:
    """The customer sees a clock of `sla.clocks_started` as they saw `sla.clock_started` (one allowlist
    rule for both), and the webhooks make the old shape from it: a field added to one is added to both."""
    assert set(StartedClock.model_fields) == set(SlaClockStarted.model_fields) - {"ticket_id"}
