"""Planned inspections' rules, without broker or database: when visits fall, moved off closed days,
their windows in working days, and what a visit's results mean."""

from datetime import date

import pytest
from pydantic import ValidationError

from services.dispatch.inspections.domain import (
    ChecklistItem,
    InspectionPlan,
    ItemKind,
    ItemResult,
    ResultsRefused,
    due_by,
    judge,
    scheduled_on,
)
from shared.calendar import BusinessCalendar

CN = BusinessCalendar("CN")
LEVEL = ChecklistItem(code="level", text="Atrium level", kind=ItemKind.MEASURE, unit="dB(A)", min=65, max=78)
AMP = ChecklistItem(code="amp", text="Amplifier on", asset_tag="HH138-BGM-AMP-01")


def plan(**changes) -> InspectionPlan:
    values = {
        "code": "T-BGM-M",
        "subsystem": "bgm",
        "title": "Monthly",
        "repeat": "FREQ=MONTHLY;BYDAY=1MO",
        "starts_on": date(2026, 1, 1),
        "checklist": (AMP, LEVEL),
    }
    return InspectionPlan(**(values | changes))


def test_the_first_monday_of_each_month_and_every_quarter() -> None:
    monthly = plan()
    assert monthly.occurrence_on_or_after(date(2026, 11, 27)) == date(2026, 12, 7)
    assert monthly.occurrence_on_or_after(date(2026, 12, 7)) == date(2026, 12, 7)
    assert monthly.occurrence_after(date(2026, 12, 7)) == date(2027, 1, 4)
    quarterly = plan(repeat="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", starts_on=date(2026, 1, 15))
    assert [quarterly.occurrence_on_or_after(date(2026, m, 1)) for m in (2, 5, 8, 11)] == [
        date(2026, 4, 15),
        date(2026, 7, 15),
        date(2026, 10, 15),
        date(2027, 1, 15),
    ]


@pytest.mark.parametrize(
    ("occurrence", "visit", "last_day"),
    [
        (date(2026, 11, 25), date(2026, 11, 25), date(2026, 11, 27)),  # Wednesday, three working days
        (date(2026, 11, 26), date(2026, 11, 26), date(2026, 11, 30)),  # the window skips the weekend
        (date(2026, 11, 28), date(2026, 11, 30), date(2026, 12, 2)),  # a Saturday: moved to Monday
        (date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 10)),  # National Day: after the holiday,
    ],  # and the make-up Saturday counts as a working day
    ids=["weekday", "over-weekend", "saturday", "national-day"],
)
def test_a_visit_never_falls_on_a_closed_day_and_has_its_window(occurrence: date, visit: date, last_day: date) -> None:
    assert scheduled_on(occurrence, CN) == visit
    assert due_by(visit, 3, CN) == last_day


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"repeat": "EVERY MONDAY"}, "not a recurrence rule"),
        ({"checklist": ()}, "at least 1 item"),
        ({"checklist": (AMP, AMP)}, "item codes must differ"),
    ],
)
def test_a_plan_that_makes_no_sense_is_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        plan(**changes)


def test_a_measurement_needs_its_range_and_a_check_has_none() -> None:
    with pytest.raises(ValidationError, match="needs the range"):
        ChecklistItem(code="x", text="x", kind=ItemKind.MEASURE)
    with pytest.raises(ValidationError, match="a check has no range"):
        ChecklistItem(code="x", text="x", min=1)
    assert LEVEL.expected() == "65 to 78 dB(A)"


def test_results_are_judged_item_by_item() -> None:
    findings = judge((AMP, LEVEL), [ItemResult("amp", passed=True), ItemResult("level", value=61.5)])
    assert [(f.item.code, f.failed) for f in findings] == [("amp", False), ("level", True)]
    assert findings[1].describe() == "Atrium level: measured 61.5 dB(A), expected 65 to 78 dB(A)"
    failed_check = judge((AMP,), [ItemResult("amp", passed=False, note="fault LED on")])[0]
    assert (failed_check.failed, failed_check.describe()) == (True, "Amplifier on: failed (fault LED on)")


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ([ItemResult("amp", passed=True)], "missing: level"),
        ([ItemResult("amp", passed=True), ItemResult("level", value=70), ItemResult("x", passed=True)], "no such"),
        ([ItemResult("amp", value=1.0), ItemResult("level", value=70)], "amp is a check"),
        ([ItemResult("amp", passed=True), ItemResult("level", passed=True)], "level is a measurement"),
    ],
    ids=["missing", "unknown", "check-with-value", "measure-without-value"],
)
def test_results_that_do_not_cover_the_checklist_are_refused(results: list[ItemResult], message: str) -> None:
    with pytest.raises(ResultsRefused, match=message):
        judge((AMP, LEVEL), results)


def test_a_failed_items_request_id_fits_intakes_bound_and_is_the_same_every_time() -> None:
    from services.dispatch.inspections.visits import MAX_REQUEST_ID, finding_request_id

    assert finding_request_id("HH138-BGM-M-20261201", "amp-temp") == "HH138-BGM-M-20261201/amp-temp"
    long_visit, long_item = "P" * 60 + "-20261201", "I" * 60
    made = finding_request_id(long_visit, long_item)
    assert len(made) <= MAX_REQUEST_ID
    assert made.startswith(f"{long_visit}/")
    assert made == finding_request_id(long_visit, long_item)
    assert made != finding_request_id(long_visit, "J" * 60)
