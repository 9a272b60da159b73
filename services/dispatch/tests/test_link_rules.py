"""Which tickets may be linked (services/dispatch/tickets/domain/links.py): plain values, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.dispatch.tickets.domain.lifecycle import Status, TicketState
from services.dispatch.tickets.domain.links import OTHER_SIDE, Link, check_link
from shared.contracts import LinkRelation, Priority, ServiceKind
from shared.refusals import Refused

ABOUT, MERGED_INTO = LinkRelation.ABOUT, LinkRelation.MERGED_INTO
JOB = TicketState(
    ticket_id="HH138-20261207-0001", site_code="HH138", subsystem="bgm", kind=ServiceKind.FAULT,
    priority=Priority.NORMAL, status=Status.ON_SITE, paused_from=None, engineer_id="E01",
    reported_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
)  # fmt: skip
COMPLAINT = replace(JOB, ticket_id="HH138-20261207-0002", kind=ServiceKind.COMPLAINT, status=Status.WITH_QUALITY_DESK)
REPEAT = replace(
    JOB, ticket_id="HH138-20261207-0003", status=Status.ASSIGNED, engineer_id="E02",
    reported_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
)  # fmt: skip


def refusal(*args: object) -> str:
    with pytest.raises(Refused) as refused:
        check_link(*args)  # type: ignore[arg-type]
    return refused.value.reason


def test_a_complaint_is_linked_to_the_job_it_is_about_once() -> None:
    assert check_link(COMPLAINT, JOB, ABOUT, [], []) is True
    done = [Link(COMPLAINT.ticket_id, JOB.ticket_id, ABOUT)]
    assert check_link(COMPLAINT, JOB, ABOUT, done, []) is False  # the same link again: nothing to do
    assert refusal(COMPLAINT, REPEAT, ABOUT, done, []) == "already_about"
    assert refusal(JOB, COMPLAINT, ABOUT, [], []) == "not_a_complaint"
    assert refusal(COMPLAINT, replace(COMPLAINT, ticket_id="HH138-X"), ABOUT, [], []) == "about_a_complaint"


def test_a_repeat_report_joins_a_ticket_still_carrying_the_problem() -> None:
    assert check_link(REPEAT, JOB, MERGED_INTO, [], []) is True
    assert refusal(replace(REPEAT, status=Status.ACCEPTED), JOB, MERGED_INTO, [], []) == "report_worked_on"
    assert refusal(REPEAT, replace(JOB, status=Status.RESOLVED), MERGED_INTO, [], []) == "target_done"
    merged_on = [Link(JOB.ticket_id, "HH138-20261207-0009", MERGED_INTO)]
    assert refusal(REPEAT, JOB, MERGED_INTO, [], merged_on) == "target_done"
    joined = [Link(REPEAT.ticket_id, "HH138-20261207-0008", LinkRelation.JOINED_BY)]
    assert refusal(REPEAT, JOB, MERGED_INTO, joined, []) == "has_joined_reports"
    earlier = [Link(REPEAT.ticket_id, "HH138-20261207-0007", MERGED_INTO)]
    assert refusal(REPEAT, JOB, MERGED_INTO, earlier, []) == "already_merged"


def test_links_stay_within_one_site_and_between_two_tickets() -> None:
    assert refusal(REPEAT, REPEAT, MERGED_INTO, [], []) == "same_ticket"
    assert refusal(REPEAT, replace(JOB, site_code="WJ001"), MERGED_INTO, [], []) == "sites_differ"
    assert refusal(REPEAT, JOB, LinkRelation.JOINED_BY, [], []) == "unknown_relation"  # dispatch writes that side


def test_every_relation_has_its_other_side() -> None:
    assert OTHER_SIDE == {
        ABOUT: LinkRelation.COMPLAINED_OF,
        LinkRelation.COMPLAINED_OF: ABOUT,
        MERGED_INTO: LinkRelation.JOINED_BY,
        LinkRelation.JOINED_BY: MERGED_INTO,
    }


def test_complaints_and_older_or_worked_on_reports_are_not_merged() -> None:
    assert refusal(COMPLAINT, JOB, MERGED_INTO, [], []) == "complaint_not_merged"
    assert refusal(REPEAT, replace(JOB, kind=ServiceKind.COMPLAINT), MERGED_INTO, [], []) == "complaint_not_merged"
    older = replace(REPEAT, reported_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    assert refusal(older, JOB, MERGED_INTO, [], []) == "report_older"
    with pytest.raises(Refused) as refused:  # assigned again after an engineer had accepted it
        check_link(REPEAT, JOB, MERGED_INTO, [], [], worked_on=True)
    assert refused.value.reason == "report_worked_on"
