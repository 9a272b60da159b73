"""The ticket list's rule (domain/ticket_list.py): what each event leaves a ticket's line showing, in
whatever order the events are heard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations

from services.archive.domain.ticket_list import BREACHED, MET, RUNNING, TicketLine, advance
from shared.contracts import (
    ClockKind,
    ComplaintRouted,
    DeviceRef,
    Event,
    PauseReason,
    Reporter,
    SlaBreached,
    SlaClockChanged,
    SlaClocksStarted,
    SlaClockStarted,
    SlaMet,
    StartedClock,
    TicketAccepted,
    TicketAssigned,
    TicketOnSite,
    TicketPaused,
    TicketReclassified,
    TicketResolved,
    TicketResumed,
)
from testkit.samples import ticket_opened

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TICKET = "HH138-20261125-0001"


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _fold(events: list[tuple[Event, int]]) -> TicketLine:
    line = TicketLine(TICKET)
    for event, minute in events:
        line = advance(line, event, _at(minute))
    return line


OPENED = ticket_opened(
    TICKET,
    description="中庭背景音乐没有声音",
    reporter=Reporter(name="徐女士", phone="+86 21 5555 0101"),
    device=DeviceRef(asset_tag="HH138-BGM-AMP-01", model="PLE-2MA240", serial_number="SN-0042"),
    reported_at=T0,
)
ASSIGNED = TicketAssigned(
    ticket_id=TICKET, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="王磊",
    rule="subsystem_owner", assigned_at=_at(1),
)  # fmt: skip
ACCEPTED = TicketAccepted(ticket_id=TICKET, engineer_id="E01", accepted_at=_at(5))
ON_SITE = TicketOnSite(ticket_id=TICKET, engineer_id="E01", arrived_at=_at(60))


def test_a_line_shows_the_request_and_the_state_the_latest_move_left() -> None:
    lifecycle = [(OPENED, 0), (ASSIGNED, 1), (ACCEPTED, 5), (ON_SITE, 60)]
    for heard in permutations(lifecycle):
        line = _fold(list(heard))
        assert (line.opened, line.status, line.engineer_id, line.engineer_name) == (True, "on_site", "E01", "王磊")
        assert (line.site_code, line.serial_number, line.reported_at) == ("HH138", "SN-0042", T0)
    assert _fold([(ASSIGNED, 1)]).opened is False  # not listed until its request is heard


def test_a_paused_ticket_resumes_where_it_was_and_a_resolved_one_is_no_longer_open() -> None:
    paused = TicketPaused(ticket_id=TICKET, reason=PauseReason.WAITING_FOR_PARTS.value, paused_at=_at(70))
    line = _fold([(OPENED, 0), (ASSIGNED, 1), (ON_SITE, 60), (paused, 70)])
    assert (line.status, line.pause_reason, line.is_open) == ("paused", "waiting_for_parts", True)
    line = advance(line, TicketResumed(ticket_id=TICKET, resumed_at=_at(90)), _at(90))
    assert (line.status, line.pause_reason) == ("on_site", None)
    resolved = TicketResolved(ticket_id=TICKET, engineer_id="E01", summary="换了功放", resolved_at=_at(120))
    line = advance(line, resolved, _at(120))
    assert (line.status, line.is_open, line.resolved_at) == ("resolved", False, _at(120))


def test_a_reclassification_heard_before_the_opening_is_kept() -> None:
    changed = TicketReclassified(
        ticket_id=TICKET, kind="complaint", priority="high", previous_kind="fault", previous_priority="normal",
        reason="客户投诉", actor="刘洋", reclassified_at=_at(3),
    )  # fmt: skip
    for heard in permutations([(OPENED, 0), (changed, 3)]):
        line = _fold(list(heard))
        assert (line.kind, line.priority) == ("complaint", "high")


def _clock(event_type: type[Event], minute: int, **more: object) -> tuple[Event, int]:
    common = {"ticket_id": TICKET, "clock": ClockKind.ON_SITE, "due_at": _at(240), "target_minutes": 240}
    started = {"started_at": T0, "day_type": "working_day", "calendar": "CN"}
    if event_type is SlaClocksStarted:  # the on-site clock alone, as a reopened ticket's resolution clock is
        clock = {key: value for key, value in common.items() if key != "ticket_id"} | started | more
        return SlaClocksStarted(ticket_id=TICKET, clocks=[StartedClock.model_validate(clock)]), minute
    if event_type is SlaClockStarted:
        fields = started
    elif event_type is SlaBreached:
        fields = {"cycle": 1, "breached_at": _at(240)}
    else:
        fields = {"cycle": 1, "started_at": T0, "stopped_at": _at(minute), "elapsed_minutes": 1.0,
                  "remaining_minutes": 1.0}  # fmt: skip
    return event_type.model_validate(common | fields | more), minute


def test_a_clock_runs_then_is_breached_or_met_and_a_corrected_breach_reads_met() -> None:
    started, breached = _clock(SlaClocksStarted, 0), _clock(SlaBreached, 240)
    running = _fold([(OPENED, 0), started])
    assert (running.breached, running.next_due_at, running.clocks["on_site#1"].state) == (False, _at(240), RUNNING)
    for heard in permutations([started, breached]):
        line = _fold([(OPENED, 0), *heard])
        assert (line.breached, line.next_due_at, line.clocks["on_site#1"].state) == (True, None, BREACHED)
    corrected = _clock(SlaMet, 250, corrects_breach=True)
    for heard in permutations([started, breached, corrected]):
        line = _fold([(OPENED, 0), *heard])
        assert (line.breached, line.clocks["on_site#1"].state) == (False, MET)


def test_clocks_started_together_each_run_and_the_one_per_clock_event_of_before_still_counts() -> None:
    working_day = {"started_at": T0, "day_type": "working_day", "calendar": "CN"}
    response = StartedClock(clock=ClockKind.RESPONSE, due_at=_at(30), target_minutes=30, **working_day)
    on_site = StartedClock(clock=ClockKind.ON_SITE, due_at=_at(240), target_minutes=240, **working_day)
    together = SlaClocksStarted(ticket_id=TICKET, clocks=[response, on_site])
    line = _fold([(OPENED, 0), (together, 0)])
    assert {key: (clock.state, clock.due_at) for key, clock in line.clocks.items()} == {
        "response#1": (RUNNING, _at(30)),
        "on_site#1": (RUNNING, _at(240)),
    }
    assert line.next_due_at == _at(30)
    # A timeline kept before sla.clocks_started (the list rebuilt from it) says the same one clock at a time.
    assert _fold([(OPENED, 0), *[(one, 0) for one in together.each_clock()]]).clocks == line.clocks


def test_a_ticket_is_found_by_its_phone_as_typed_with_or_without_spaces() -> None:
    text = _fold([(OPENED, 0)]).search_text()
    for word in (
        "hh138-20261125-0001",
        "背景音乐",
        "徐女士",
        "+86 21 5555 0101",
        "862155550101",
        "sn-0042",
        "ple-2ma240",
    ):
        assert word in text


def test_a_word_of_two_characters_is_one_of_the_pairs_exactly_when_it_is_in_the_text() -> None:
    line = _fold([(OPENED, 0)])
    text, pairs = line.search_text(), set(line.search_pairs())
    assert {"背景", "音乐", "没有", "声音", "徐女"} <= pairs
    assert all(len(pair) == 2 and pair in text and not any(c.isspace() for c in pair) for pair in pairs)
    assert "乐中" not in pairs  # both there, not side by side


PAUSED = TicketPaused(ticket_id=TICKET, reason=PauseReason.WAITING_FOR_PARTS.value, paused_at=_at(70))
TO_E02 = ASSIGNED.model_copy(update={"engineer_id": "E02", "engineer_name": "李娜", "assigned_at": _at(80)})


def test_a_paused_ticket_given_to_another_engineer_stays_paused_and_resumes_where_it_was() -> None:
    for reassigned in (TO_E02, TO_E02.model_copy(update={"status": "paused"})):  # published before and after
        line = _fold([(OPENED, 0), (ASSIGNED, 1), (ON_SITE, 60), (PAUSED, 70), (reassigned, 80)])
        assert (line.status, line.engineer_id, line.engineer_name, line.paused_from) == (
            "paused",
            "E02",
            "李娜",
            "on_site",
        )
    resumed = TicketResumed(ticket_id=TICKET, resumed_at=_at(90), status="on_site")
    line = advance(line, resumed, _at(90))
    assert line.status == "on_site"
    assert advance(line, resumed, _at(95)) == line  # heard twice: not paused here, nothing to resume


def test_a_complaint_sent_to_the_quality_desk_is_nobodys_in_the_field() -> None:
    routed = ComplaintRouted(ticket_id=TICKET, site_code="HH138", desk="quality", routed_at=_at(2))
    line = _fold([(OPENED, 0), (ASSIGNED, 1), (routed, 2)])
    assert (line.status, line.engineer_id, line.engineer_name) == ("with_quality_desk", None, None)


def test_an_engineer_is_never_shown_under_anothers_name() -> None:
    accepted = TicketAccepted(ticket_id=TICKET, engineer_id="E02", accepted_at=_at(85))
    line = _fold([(OPENED, 0), (ASSIGNED, 1), (accepted, 85)])  # E02's assignment not heard yet
    assert (line.engineer_id, line.engineer_name) == ("E02", None)
    assert advance(line, TO_E02, _at(80)).engineer_name == "李娜"


def test_a_deadline_moves_as_the_sla_service_says() -> None:
    running = _fold([(OPENED, 0), _clock(SlaClocksStarted, 0), (ASSIGNED, 1)])
    assert running.next_due_at == _at(240)
    assert advance(running, PAUSED, _at(70)).next_due_at == _at(240)  # a pause stops the clocks it stops
    stopped = SlaClockChanged(ticket_id=TICKET, clock=ClockKind.ON_SITE, cycle=1, due_at=None, target_minutes=240)
    assert advance(running, stopped, _at(70)).next_due_at is None
    moved = SlaClockChanged(ticket_id=TICKET, clock=ClockKind.ON_SITE, cycle=1, due_at=_at(300), target_minutes=240)
    assert advance(running, moved, _at(90)).next_due_at == _at(300)
    assert advance(running, moved, _at(-5)).next_due_at == _at(240)  # older than what the line knows
    gone = moved.model_copy(update={"due_at": None, "cancelled": True})
    for heard in permutations([(gone, 90), (moved, 80)]):
        line = _fold([(OPENED, 0), _clock(SlaClocksStarted, 0), *heard])
        assert (line.next_due_at, line.breached, line.clocks["on_site#1"].state) == (None, False, "cancelled")
    revived = moved.model_copy(update={"due_at": _at(400)})
    assert advance(advance(running, gone, _at(90)), revived, _at(100)).next_due_at == _at(400)
