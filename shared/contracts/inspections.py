"""Events of planned inspections (巡检): a visit opened, made (with every checklist item's result),
overdue or missed. The archive files the inspection report from them; the register counts them."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.envelope import Event


class InspectionVisitOpened(Event):
    message_type: ClassVar[str] = "inspection.visit_opened"

    visit_id: str
    plan_code: str
    site_code: str
    subsystem: str
    title: str
    scheduled_on: date = Field(description="The day of the visit (moved off the site's closed days).")
    due_by: date = Field(description="The last day of its window.")
    engineer_id: str | None = Field(description="The owner of the subsystem, who makes the visit.")


class InspectionItemResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: str
    text: str
    kind: str = Field(description="check or measure.")
    passed: bool | None = None
    value: float | None = None
    unit: str | None = None
    expected: str = Field(description="What the item should show, e.g. 65 to 80 dB(A).")
    failed: bool
    note: str | None = None
    asset_tag: str | None = None


class InspectionVisitCompleted(Event):
    message_type: ClassVar[str] = "inspection.visit_completed"

    visit_id: str
    plan_code: str
    site_code: str
    subsystem: str
    title: str
    scheduled_on: date
    engineer_id: str
    completed_at: AwareDatetime
    late: bool = Field(description="Made after the last day of its window.")
    results: list[InspectionItemResult]
    faults_reported: int = Field(description="Failed items, each reported to intake as a fault.")


class InspectionVisitOverdue(Event):
    message_type: ClassVar[str] = "inspection.visit_overdue"

    visit_id: str
    site_code: str
    subsystem: str
    due_by: date


class InspectionVisitMissed(Event):
    message_type: ClassVar[str] = "inspection.visit_missed"

    visit_id: str
    site_code: str
    subsystem: str
    due_by: date
