"""Whom dispatch tells of what, as plain functions: the notices each event gives rise to, their
urgency, and the event `notice.decided` naming each engineer with whether they are on duty."""

from __future__ import annotations

from datetime import UTC, datetime

from services.dispatch.notices.domain import notice_rules as rules
from shared.contracts import (
    FollowUpDue,
    FollowUpRecorded,
    LinkRelation,
    SlaBreached,
    SlaWarning,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketLinked,
    TicketNoted,
    TicketPaged,
)
from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from shared.contracts.sla import ClockKind
from shared.contracts.tickets import PageTo

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TICKET = rules.TicketFacts("HH138-20261127-0001", "HH138", "bgm", "normal", engineer_id="E01")


def test_breaches_and_critical_tickets_are_urgent() -> None:
    assert rules.urgent(NoticeKind.SLA_BREACHED, "low")
    assert rules.urgent(NoticeKind.VENDOR_BREACHED, "normal")
    assert rules.urgent(NoticeKind.ASSIGNED, "critical")
    assert not rules.urgent(NoticeKind.SLA_WARNING, "high")


def test_a_reassignment_tells_the_new_engineer_and_the_one_taken_off() -> None:
    event = TicketAssigned(
        ticket_id=TICKET.ticket_id, site_code="HH138", subsystem="bgm", engineer_id="E02", engineer_name="Li Na",
        rule="manual", assigned_at=NOW, previous_engineer_id="E01", reason="E01 is ill",
    )  # fmt: skip
    told = rules.on_assigned(event, TICKET)
    assert [(n.kind, n.recipients) for n in told] == [
        (NoticeKind.ASSIGNED, (rules.engineer("E02"),)), (NoticeKind.TAKEN_OFF, (rules.engineer("E01"),))
    ]  # fmt: skip
    first = rules.on_assigned(event.model_copy(update={"previous_engineer_id": None}), TICKET)
    assert len(first) == 1


def test_notices_give_their_facts_as_codes_the_reader_s_language_words() -> None:
    """Why this engineer, why nobody, the ticket's priority: codes notify words in each reader's language."""
    event = TicketAssigned(
        ticket_id=TICKET.ticket_id, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="Wang Wei",
        rule="subsystem_owner", assigned_at=NOW,
    )  # fmt: skip
    [assigned] = rules.on_assigned(event, TICKET)
    assert (assigned.facts["rule"], assigned.facts["priority"], assigned.facts["site"]) == (
        "subsystem_owner", "normal", "HH138"
    )  # fmt: skip
    waiting = TicketAwaitingAssignment(
        ticket_id=TICKET.ticket_id, site_code="HH138", subsystem="bgm", why="nobody on duty", since=NOW,
        cause="nobody_free",
    )  # fmt: skip
    [told] = rules.on_awaiting_assignment(waiting, TICKET)
    assert told.facts["cause"] == "nobody_free"


def test_a_warning_tells_the_engineer_and_managers_and_a_breach_the_managers_and_quality() -> None:
    warning = SlaWarning(
        ticket_id=TICKET.ticket_id, clock=ClockKind.ON_SITE, cycle=1, fraction=0.75, due_at=NOW,
        remaining_minutes=59.6, warned_at=NOW,
    )  # fmt: skip
    [warned] = rules.on_sla_warning(warning, TICKET)
    assert {(r.audience, r.who) for r in warned.recipients} == {(Audience.MANAGERS, None), (Audience.ENGINEER, "E01")}
    later = rules.on_sla_warning(warning.model_copy(update={"fraction": 0.9}), TICKET)
    assert later[0].key != rules.on_sla_warning(warning, TICKET)[0].key  # a policy may warn twice
    breach = SlaBreached(
        ticket_id=TICKET.ticket_id, clock=ClockKind.ON_SITE, cycle=1, due_at=NOW, target_minutes=240, breached_at=NOW
    )
    told = rules.on_sla_breached(breach, TICKET)
    assert {r.audience for n in told for r in n.recipients} == {Audience.MANAGERS, Audience.QUALITY}
    assert all(n.urgent for n in told)
    assert rules.on_sla_breached(breach, TICKET)[0].key == told[0].key  # published twice: one key


def test_the_quality_desk_hears_of_low_scores_only() -> None:
    def call(score: int | None) -> FollowUpRecorded:
        return FollowUpRecorded(
            ticket_id=TICKET.ticket_id, site_code="HH138", cycle=1, attempt=1, reached=score is not None,
            satisfaction=score, caller="liu.yang", called_at=NOW, outcome="satisfied", late=False,
        )  # fmt: skip

    [low] = rules.on_follow_up_recorded(call(2), TICKET)
    assert low.recipients == (rules.QUALITY,)
    assert rules.on_follow_up_recorded(call(3), TICKET) == []
    assert rules.on_follow_up_recorded(call(None), TICKET) == []


def test_the_decided_notice_names_each_engineer_with_whether_they_are_on_duty() -> None:
    warning = SlaWarning(
        ticket_id=TICKET.ticket_id, clock=ClockKind.ON_SITE, cycle=1, fraction=0.75, due_at=NOW,
        remaining_minutes=59.6, warned_at=NOW,
    )  # fmt: skip
    notices = rules.on_sla_warning(warning, TICKET)
    assert rules.engineers_named(notices) == {"E01"}
    decided = rules.decided(notices[0], {"E01": True}, NOW)
    assert decided.recipients == [
        Recipient(audience=Audience.MANAGERS, on_duty=None), Recipient(audience=Audience.ENGINEER, who="E01", on_duty=True)
    ]  # fmt: skip
    assert (decided.kind, decided.urgent, decided.ticket_id, decided.site_code) == (
        NoticeKind.SLA_WARNING, False, TICKET.ticket_id, "HH138"
    )  # fmt: skip
    assert decided.facts["subsystem"] == "bgm"
    assert decided.facts["minutes"] == 60
    off_roster = rules.decided(notices[0], {}, NOW)  # no longer on the roster: not on duty
    assert off_roster.recipients[1].on_duty is False
    # what travels is what the contract says, and reads back the same
    assert NoticeDecided.model_validate_json(decided.model_dump_json()) == decided


def test_the_customer_is_asked_and_heard_and_a_merged_report_s_engineer_is_told() -> None:
    due = FollowUpDue(ticket_id=TICKET.ticket_id, site_code="HH138", cycle=1, desk="manager", due_at=NOW)
    desk, asked = rules.on_follow_up_due(due, TICKET)
    assert (desk.kind, asked.kind, asked.recipients) == (
        NoticeKind.FOLLOW_UP_DUE, NoticeKind.FOLLOW_UP_ASKED, (rules.CUSTOMERS,)
    )  # fmt: skip
    assert rules.decided(asked, {}, NOW).version_needed() == 2  # readers of v1 know no customers
    assert rules.decided(desk, {}, NOW).version_needed() == 1

    comment = TicketNoted(
        ticket_id=TICKET.ticket_id, site_code="HH138", text="还是没声音", for_customer=True, author="rep.xu",
        written_at=NOW, by_customer=True,
    )  # fmt: skip
    [heard] = rules.on_ticket_noted(comment, TICKET)
    assert (heard.kind, heard.recipients, heard.facts["comments"]) == (
        NoticeKind.CUSTOMER_COMMENTED, (rules.engineer("E01"),), "还是没声音"
    )  # fmt: skip
    nobody_holds_it = rules.TicketFacts("HH138-20261127-0001", "HH138", "bgm", "normal", engineer_id=None)
    assert rules.on_ticket_noted(comment, nobody_holds_it)[0].recipients == (rules.MANAGERS,)
    assert rules.on_ticket_noted(comment.model_copy(update={"by_customer": False}), TICKET) == []

    merged = TicketLinked(
        ticket_id=TICKET.ticket_id, site_code="HH138", linked_ticket_id="HH138-20261127-0000",
        relation=LinkRelation.MERGED_INTO, actor="op", linked_at=NOW, released_engineer_id="E02",
    )  # fmt: skip
    [told] = rules.on_ticket_linked(merged, TICKET)
    assert (told.kind, told.recipients, told.facts["linked"]) == (
        NoticeKind.MERGED, (rules.engineer("E02"),), "HH138-20261127-0000"
    )  # fmt: skip
    joined = merged.model_copy(update={"relation": LinkRelation.JOINED_BY, "released_engineer_id": None})
    assert rules.on_ticket_linked(joined, TICKET) == []


def test_a_page_wakes_the_engineer_or_the_managers_at_once_and_needs_version_3() -> None:
    paged = TicketPaged(
        ticket_id=TICKET.ticket_id, site_code="HH138", step=1, to=PageTo.BACKUP_ON_CALL, engineer_id="E02",
        engineer_name="Li Na", holder_engineer_id="E01", holder_engineer_name="Wang Lei", due_at=NOW, paged_at=NOW,
    )  # fmt: skip
    [backup] = rules.on_paged(paged, TICKET)
    assert (backup.kind, backup.urgent, backup.recipients) == (NoticeKind.PAGED, True, (rules.engineer("E02"),))
    assert (backup.facts["holder"], backup.facts["to"]) == ("Wang Lei", "backup_on_call")
    managers = paged.model_copy(update={"step": 2, "to": PageTo.SERVICE_MANAGERS, "engineer_id": None})
    [told] = rules.on_paged(managers, TICKET)
    assert (told.recipients, told.key != backup.key) == ((rules.MANAGERS,), True)
    assert rules.decided(told, {}, NOW).version_needed() == 3
