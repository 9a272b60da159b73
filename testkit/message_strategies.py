"""Hypothesis strategies for messages as a careless or hostile publisher sends them: envelopes of the
suite's own types whose payloads follow the contract's field types (often valid, sometimes at the
edges: empty and huge texts, odd Unicode, far dates), payloads of junk JSON, envelopes broken
themselves, and bodies that are no JSON at all."""

from __future__ import annotations

import enum
import json
import types
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Union, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
TEXT = st.sampled_from(["HH138", "LOAD1", "bgm", "E01", "HH138-20261127-0001"]) | st.text(min_size=1, max_size=40)
EDGES = st.just("") | st.text(max_size=400)


def value_of(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of a contract field's type, as JSON would carry them."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return st.one_of(*(value_of(arg) for arg in args))
    if origin in (list, tuple, set, frozenset):
        return st.lists(value_of(args[0] if args else Any), max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(max_size=8), JSON, max_size=3)
    if getattr(annotation, "__metadata__", None) is not None:  # Annotated[...]
        return value_of(args[0])
    if annotation is type(None):
        return st.none()
    if getattr(annotation, "__name__", "") in ("AwareDatetime", "NaiveDatetime", "PastDatetime", "FutureDatetime"):
        return MOMENTS.map(datetime.isoformat)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return payload_of(annotation)
        if issubclass(annotation, enum.Enum):
            return st.sampled_from([member.value for member in annotation])
        if issubclass(annotation, bool):
            return st.booleans()
        if issubclass(annotation, int):
            return st.integers(min_value=1, max_value=10_000) | st.integers(min_value=-(2**40), max_value=2**40)
        if issubclass(annotation, float):
            return st.floats(allow_nan=False, allow_infinity=False)
        if issubclass(annotation, datetime):
            return MOMENTS.map(datetime.isoformat)
        if issubclass(annotation, date):
            return st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat)
        if issubclass(annotation, time):
            return st.times().map(time.isoformat)
        if issubclass(annotation, timedelta):
            return st.integers(min_value=0, max_value=10**6)
        if issubclass(annotation, uuid.UUID):
            return st.uuids().map(str)
        if issubclass(annotation, str):
            return TEXT | TEXT | EDGES
    return JSON


def payload_of(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: value_of(field.annotation) for name, field in model.model_fields.items()}
    return st.fixed_dictionaries(fields)


def envelope_bodies(contracts: list[type[Any]], producer: str = "fuzz") -> st.SearchStrategy[tuple[str, bytes]]:
    """(routing key, body) pairs: mostly envelopes of the given contracts, with typed or junk payloads."""

    def envelope(contract: type[Any], payload: Any, version: int, correlation: str) -> tuple[str, bytes]:
        body = {
            "message_id": str(uuid.uuid4()),
            "type": contract.message_type,
            "schema_version": version,
            "occurred_at": datetime.now(UTC).isoformat(),
            "producer": producer,
            "correlation_id": correlation,
            "payload": payload,
        }
        return contract.message_type, json.dumps(body).encode()

    typed = st.sampled_from(contracts).flatmap(
        lambda contract: st.builds(
            envelope,
            st.just(contract),
            payload_of(contract) | JSON,
            st.sampled_from([1, 1, 1, 2]),
            TEXT,
        )
    )
    broken = st.builds(
        lambda contract, junk: (contract.message_type, junk),
        st.sampled_from(contracts),
        st.binary(max_size=64) | JSON.map(lambda value: json.dumps(value).encode()),
    )
    return st.one_of(typed, typed, typed, broken)
