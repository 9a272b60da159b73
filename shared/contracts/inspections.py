"""Events of planned inspections (巡检): a visit opened, made (with every checklist item's result),
overdue or missed. The archive files the inspection report from them; the register counts them."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import MAX_ITEMS, Code, Identifier, Name, Text
from shared.contracts.envelope import Event


class InspectionVisitOpened(Event):
    message_type: ClassVar[str] = "inspection.visit_opened"

    visit_id: Identifier
    plan_code: Code
    site_code: Code
    subsystem: Code
    title: Name
    scheduled_on: date = Field(description="The day of the visit (moved off the site's closed days).")
    due_by: date = Field(description="The last day of its window.")
    engineer_id: Identifier | None = Field(description="The owner of the subsystem, who makes the visit.")


class InspectionItemResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: Code
    text: Name
    kind: Code = Field(description="check or measure.")
    passed: bool | None = None
    value: float | None = None
    unit: Code | None = None
    expected: Name = Field(description="What the item should show, e.g. 65 to 80 dB(A).")
    failed: bool
    note: Text | None = None
    asset_tag: Identifier | None = None


class InspectionVisitCompleted(Event):
    message_type: ClassVar[str] = "inspection.visit_completed"

    visit_id: Identifier
    plan_code: Code
    site_code: Code
    subsystem: Code
    title: Name
    scheduled_on: date
    engineer_id: Identifier
    completed_at: AwareDatetime
    late: bool = Field(description="Made after the last day of its window.")
    results: list[InspectionItemResult] = Field(max_length=MAX_ITEMS)
    faults_reported: int = Field(description="Failed items, each reported to intake as a fault.")


class InspectionVisitOverdue(Event):
    message_type: ClassVar[str] = "inspection.visit_overdue"

    visit_id: Identifier
    site_code: Code
    subsystem: Code
    due_by: date


class InspectionVisitMissed(Event):
    message_type: ClassVar[str] = "inspection.visit_missed"

    visit_id: Identifier
    site_code: Code
    subsystem: Code
    due_by: date
