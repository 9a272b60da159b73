"""A receiver subscribed to `sla.clock_started` keeps getting it, one per clock in its own shape, now that
the SLA service announces the clocks a ticket starts together in one `sla.clocks_started`; the new type
goes to whoever names it (domain/older_shapes.py)."""

from __future__ import annotations

import pytest

from services.webhooks.domain.older_shapes import as_delivered, types_delivered
from shared.contracts import SlaClockStarted
from testkit.clock_events import clocks_started

OLD, NEW = "sla.clock_started", "sla.clocks_started"


@pytest.mark.parametrize(
    ("types", "delivered"),
    [([OLD], [OLD]), ([NEW], [NEW]), ([OLD, NEW], [OLD, NEW]), ([], [OLD]), (["sla.*"], [OLD]),
     (["ticket.*"], []), (["sla.breached"], [])],
)  # fmt: skip
def test_a_subscription_gets_the_clocks_in_the_types_it_subscribed_to(types: list[str], delivered: list[str]) -> None:
    assert types_delivered(types, NEW) == delivered


def test_any_other_event_goes_as_it_is_to_whoever_wants_it() -> None:
    assert types_delivered([], "sla.breached") == ["sla.breached"]
    assert types_delivered(["sla.*"], OLD) == [OLD]
    assert types_delivered(["ticket.*"], "sla.breached") == []


def test_the_clocks_started_together_go_to_an_old_subscription_one_by_one_in_the_old_shape() -> None:
    together = clocks_started("HH138-20261127-0001")
    assert as_delivered(together, NEW) == [together]
    one_by_one = as_delivered(together, OLD)
    assert [(e.type, e.schema_version, e.correlation_id) for e in one_by_one] == [(OLD, 1, together.correlation_id)] * 3
    assert [SlaClockStarted.model_validate(e.payload.model_dump()) for e in one_by_one] == together.payload.each_clock()
    assert [e.payload.clock for e in one_by_one] == ["response", "on_site", "resolution"]
    assert {(e.occurred_at, e.producer, e.causation_id) for e in one_by_one} == {
        (together.occurred_at, "sla", together.causation_id)
    }
    # Ids of their own, the same each time the event is heard: a delivery per clock, made once.
    ids = [e.message_id for e in one_by_one]
    assert len(set(ids)) == 3
    assert together.message_id not in ids
    assert [e.message_id for e in as_delivered(together, OLD)] == ids
