"""The documents of cases beside the ticket's own work: a complaint's handling, a vendor escalation and
its RMA, a planned inspection."""

from __future__ import annotations

from services.archive.domain.documents import Category, Draft
from services.archive.domain.drafting import draft, local, ticket_facts, ticket_words
from services.archive.domain.story import Site, Story
from shared.contracts import (
    DeviceSwapped,
    InspectionVisitCompleted,
    QualityCaseAnswered,
    QualityCaseOpened,
    TicketEscalationNeeded,
    VendorEscalationSent,
)


def complaint_record(answered: QualityCaseAnswered, story: Story, site: Site) -> Draft:
    """The complaint handling record: the case, who handled it, how, and the answer to the customer."""
    opened = next((c for c in story.all(QualityCaseOpened) if c.case_id == answered.case_id), None)
    return draft(
        Category.COMPLAINT,
        "Complaint handling record",
        site,
        answered.answered_at,
        ticket_id=answered.ticket_id,
        source=f"{answered.message_type}:{answered.case_id}",
        form="complaint_record",
        content={
            "case_id": answered.case_id,
            "ticket": ticket_facts(story.opened, site, answered.ticket_id) if answered.ticket_id else None,
            "site": {"code": site.code, "name": site.name},
            "origin": answered.origin,
            "severity": answered.severity,
            "summary": opened.summary if opened else None,
            "opened_at": local(opened.opened_at, site) if opened else None,
            "owner": answered.owner,
            "handling": answered.handling,
            "answer": answered.answer,
            "escalated_to": answered.escalated_to,
            "answered_at": local(answered.answered_at, site),
        },
        words={
            **(ticket_words(story.opened) if answered.ticket_id else {}),
            "origin": [answered.origin],
            "severity": [answered.severity],
            "escalated_to": [answered.escalated_to],
        },
    )


def vendor_letter(sent: VendorEscalationSent, story: Story, site: Site) -> Draft:
    """The escalation letter to the manufacturer: the case, the device, what the engineer found, and the
    agreement's terms it was sent under."""
    needed = next((e for e in story.all(TicketEscalationNeeded) if e.escalation_id == sent.escalation_id), None)
    return draft(
        Category.VENDOR,
        "Vendor escalation letter",
        site,
        sent.sent_at,
        ticket_id=sent.ticket_id,
        source=f"{sent.message_type}:{sent.case_number}",
        form="vendor_letter",
        content={
            **ticket_facts(story.opened, site, sent.ticket_id),
            "case_number": sent.case_number,
            "partner": sent.partner,
            "reason": sent.reason,
            "asset_tag": sent.asset_tag,
            "findings": needed.findings if needed else None,
            "engineer": needed.engineer.model_dump(mode="json") if needed and needed.engineer else None,
            "agreement": {"version": sent.agreement_version, **sent.agreement.model_dump(mode="json")},
            "sent_at": local(sent.sent_at, site),
        },
        words={**ticket_words(story.opened), "escalation": [sent.reason]},
    )


def rma_record(swap: DeviceSwapped, story: Story, site: Site) -> Draft:
    """The RMA record: the faulty serial returned, the one installed, under which return authorisation."""
    case = next((s for s in story.all(VendorEscalationSent) if s.case_number == swap.case_number), None)
    return draft(
        Category.VENDOR,
        "RMA record",
        site,
        swap.swapped_at,
        ticket_id=swap.ticket_id,
        source=f"{swap.message_type}:{swap.rma_number}:{swap.new_serial_number}",
        form="rma_record",
        content={
            **ticket_facts(story.opened, site, swap.ticket_id),
            "rma_number": swap.rma_number,
            "case_number": swap.case_number,
            "partner": case.partner if case else None,
            "asset_tag": swap.asset_tag,
            "old_serial_number": swap.old_serial_number,
            "new_serial_number": swap.new_serial_number,
            "new_model": swap.new_model,
            "new_warranty_until": swap.new_warranty_until.isoformat() if swap.new_warranty_until else None,
            "loaner": swap.loaner,
            "engineer_id": swap.engineer_id,
            "swapped_at": local(swap.swapped_at, site),
        },
        words=ticket_words(story.opened),
    )


def inspection_report(visit: InspectionVisitCompleted, site: Site) -> Draft:
    """The inspection report (巡检报告): every checklist item with its result, and the faults reported."""
    return draft(
        Category.INSPECTION,
        "Inspection report",
        site,
        visit.completed_at,
        ticket_id=None,
        source=f"{visit.message_type}:{visit.visit_id}",
        form="inspection_report",
        content={
            "visit_id": visit.visit_id,
            "plan_code": visit.plan_code,
            "site": {"code": site.code, "name": site.name},
            "subsystem": visit.subsystem,
            "title": visit.title,
            "scheduled_on": visit.scheduled_on.isoformat(),
            "engineer_id": visit.engineer_id,
            "completed_at": local(visit.completed_at, site),
            "late": visit.late,
            "results": [result.model_dump(mode="json") for result in visit.results],
            "failed": sum(1 for result in visit.results if result.failed),
            "faults_reported": visit.faults_reported,
        },
        words={"subsystem": [visit.subsystem]},
    )
