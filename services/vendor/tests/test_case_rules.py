"""A vendor case's life, without broker or database: where each partner step takes it, what is
refused, and what a reply overtaken by a later one does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.vendor.domain.cases import (
    CaseStatus,
    ImpossibleStep,
    Step,
    after_close,
    after_reply,
    after_step,
    is_late,
)
from services.vendor.domain.swaps import SwapEffect, swap_on_case

NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "step", "after"),
    [
        (CaseStatus.SENT, Step.ACKNOWLEDGED, CaseStatus.ACKNOWLEDGED),
        (CaseStatus.ACKNOWLEDGED, Step.VISIT_SCHEDULED, CaseStatus.VISIT_SCHEDULED),
        (CaseStatus.VISIT_SCHEDULED, Step.VISITED, CaseStatus.VISITED),
        (CaseStatus.VISITED, Step.DIAGNOSIS, CaseStatus.VISITED),  # a diagnosis is a note
        (CaseStatus.ACKNOWLEDGED, Step.RMA_ISSUED, CaseStatus.IN_REPAIR),
        (CaseStatus.IN_REPAIR, Step.REPLACEMENT_SHIPPED, CaseStatus.REPLACEMENT_SHIPPED),
        (CaseStatus.IN_REPAIR, Step.REPAIRED, CaseStatus.FIXED),
        (CaseStatus.SENT, Step.DECLINED, CaseStatus.DECLINED),
    ],
)
def test_each_step_moves_a_working_case(status: CaseStatus, step: Step, after: CaseStatus) -> None:
    assert after_step(status, step) is after


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (CaseStatus.FIXED, Step.DIAGNOSIS),
        (CaseStatus.CANCELLED, Step.REPAIRED),
        (CaseStatus.CLOSED, Step.ACKNOWLEDGED),
        (CaseStatus.REQUESTED, Step.ACKNOWLEDGED),  # never sent
        (CaseStatus.IN_REPAIR, Step.ACKNOWLEDGED),  # acknowledged already
    ],
)
def test_a_step_that_makes_no_sense_is_refused(status: CaseStatus, step: Step) -> None:
    with pytest.raises(ImpossibleStep):
        after_step(status, step)


def test_a_reply_is_late_when_the_partner_sent_it_before_the_latest_step_taken() -> None:
    assert is_late(NOON - timedelta(seconds=1), NOON)
    assert not is_late(NOON, NOON)
    assert not is_late(NOON, None)


def test_a_late_reply_is_a_note_unless_it_ends_the_case() -> None:
    # Acknowledged, then an RMA, taken in the other order: the acknowledgement is a note.
    assert after_reply(CaseStatus.IN_REPAIR, Step.ACKNOWLEDGED, late=True) is CaseStatus.IN_REPAIR
    # A diagnosis overtaken by the repair report: a note on the fixed case.
    assert after_reply(CaseStatus.FIXED, Step.DIAGNOSIS, late=True) is CaseStatus.FIXED
    # An RMA overtaken by a visit report does not take the case back to repair.
    assert after_reply(CaseStatus.VISITED, Step.RMA_ISSUED, late=True) is CaseStatus.VISITED
    # A repair report overtaken by a diagnosis still fixes the case.
    assert after_reply(CaseStatus.IN_REPAIR, Step.REPAIRED, late=True) is CaseStatus.FIXED
    # On time, the same replies follow the rules above.
    with pytest.raises(ImpossibleStep):
        after_reply(CaseStatus.FIXED, Step.DIAGNOSIS, late=False)


def test_only_an_ended_case_closes() -> None:
    assert after_close(CaseStatus.DECLINED) is CaseStatus.CLOSED
    with pytest.raises(ImpossibleStep):
        after_close(CaseStatus.IN_REPAIR)


@pytest.mark.parametrize(
    ("swapped_tag", "named_case", "loaner", "units", "effect"),
    [
        ("DSP-1", None, False, None, SwapEffect.FIXED),  # the case's device replaced
        ("DSP-1", "C-1", False, 1, SwapEffect.FIXED),
        ("DSP-1", None, True, None, SwapEffect.LOANER),  # a loaner: the partner still owes the repair
        ("DSP-1", "C-2", False, None, SwapEffect.NONE),  # another case's swap
        ("AMP-3", None, False, None, SwapEffect.NONE),  # another device's swap
        ("AMP-3", "C-1", False, None, SwapEffect.NOT_TAKEN),  # names the case, but on another device
        ("DSP-1", "C-1", False, 48, SwapEffect.NOT_TAKEN),  # the register takes no swap of one of 48
    ],
)
def test_what_a_swap_does_to_a_case_on_one_device(
    swapped_tag: str, named_case: str | None, loaner: bool, units: int | None, effect: SwapEffect
) -> None:
    on_case = swap_on_case(
        case_number="C-1",
        case_asset_tag="DSP-1",
        swapped_asset_tag=swapped_tag,
        named_case=named_case,
        loaner=loaner,
        units_at_swapped_tag=units,
    )
    assert on_case.effect is effect
    assert (on_case.reason is not None) == (effect is SwapEffect.NOT_TAKEN)


def test_a_case_naming_no_device_is_ended_by_a_swap_of_a_single_one_only() -> None:
    def effect(units: int | None) -> SwapEffect:
        return swap_on_case(
            case_number="C-1",
            case_asset_tag=None,
            swapped_asset_tag="SPK-L1",
            named_case="C-1",
            loaner=False,
            units_at_swapped_tag=units,
        ).effect

    assert (effect(None), effect(1), effect(48)) == (SwapEffect.FIXED, SwapEffect.FIXED, SwapEffect.NOT_TAKEN)
