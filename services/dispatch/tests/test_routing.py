"""Dispatch's routing rule, without broker or database: who gets a ticket, given the roster."""

from datetime import UTC, datetime

import pytest

from services.dispatch.roster.domain import Duty, Engineer
from services.dispatch.tickets.domain.routing import (
    NAMED_IN_WHY,
    QUALITY_DESK,
    Cause,
    Rule,
    ToEngineer,
    ToManagerQueue,
    ToQualityDesk,
    candidates,
    route,
)
from shared.contracts import ServiceKind, TicketAwaitingAssignment

ENGINEER_KINDS = [
    ServiceKind.FAULT,
    ServiceKind.WARRANTY_REPAIR,
    ServiceKind.TECHNICAL_SUPPORT,
    ServiceKind.CONSULTATION,
]


def _engineer(
    engineer_id: str,
    *,
    skills: tuple[str, ...] = ("bgm", "av"),
    duty: Duty = Duty.ON_SHIFT,
    open_tickets: int = 0,
    max_open_tickets: int = 5,
) -> Engineer:
    return Engineer(
        engineer_id=engineer_id,
        name=f"Engineer {engineer_id}",
        skills=frozenset(skills),
        duty=duty,
        max_open_tickets=max_open_tickets,
        open_tickets=open_tickets,
    )


def test_a_complaint_goes_to_the_quality_desk_even_when_the_owner_is_free() -> None:
    """The plan's rule: a complaint never reaches an engineer, least of all the one it may be about."""
    roster = [_engineer("E01"), _engineer("E02")]
    decision = route(ServiceKind.COMPLAINT, "bgm", "E01", roster)
    assert decision == ToQualityDesk()
    assert isinstance(decision, ToQualityDesk)
    assert decision.desk == QUALITY_DESK == "quality"


@pytest.mark.parametrize("kind", ENGINEER_KINDS)
def test_every_other_kind_goes_to_the_available_subsystem_owner(kind: ServiceKind) -> None:
    """Consultations and technical support go to an engineer like faults and repairs do."""
    owner = _engineer("E01")
    decision = route(kind, "bgm", "E01", [owner, _engineer("E02")])
    assert decision == ToEngineer(owner, Rule.SUBSYSTEM_OWNER)


def test_the_owner_wins_even_when_others_carry_fewer_tickets() -> None:
    """Ownership comes first; load only matters once the owner cannot take the ticket."""
    owner = _engineer("E01", open_tickets=4, max_open_tickets=5)
    decision = route(ServiceKind.FAULT, "bgm", "E01", [owner, _engineer("E02", open_tickets=0)])
    assert decision == ToEngineer(owner, Rule.SUBSYSTEM_OWNER)


def test_an_off_duty_owner_hands_over_to_the_least_loaded_qualified_engineer() -> None:
    roster = [
        _engineer("E01", duty=Duty.OFF),
        _engineer("E02", open_tickets=3),
        _engineer("E05", open_tickets=1),
    ]
    decision = route(ServiceKind.FAULT, "bgm", "E01", roster)
    assert decision == ToEngineer(roster[2], Rule.LEAST_LOADED)


def test_an_owner_at_their_maximum_hands_over_to_the_least_loaded_qualified_engineer() -> None:
    roster = [
        _engineer("E01", open_tickets=5, max_open_tickets=5),
        _engineer("E02", open_tickets=2),
        _engineer("E05", open_tickets=4),
    ]
    decision = route(ServiceKind.WARRANTY_REPAIR, "bgm", "E01", roster)
    assert decision == ToEngineer(roster[1], Rule.LEAST_LOADED)


def test_equal_load_is_decided_by_engineer_id_whatever_the_roster_order() -> None:
    """The choice must be repeatable, so two replicas (or a retry) decide the same way."""
    e02 = _engineer("E02", open_tickets=1)
    e05 = _engineer("E05", open_tickets=1)
    owner_off = _engineer("E01", duty=Duty.OFF)
    for roster in ([owner_off, e02, e05], [e05, e02, owner_off]):
        assert route(ServiceKind.FAULT, "bgm", "E01", roster) == ToEngineer(e02, Rule.LEAST_LOADED)


def test_an_engineer_without_the_skill_is_never_chosen() -> None:
    """An idle signage engineer does not get a background-music ticket; a busier qualified one does."""
    idle_but_unqualified = _engineer("E03", skills=("signage", "control"), open_tickets=0)
    busy_but_qualified = _engineer("E05", skills=("bgm",), open_tickets=4)
    decision = route(ServiceKind.FAULT, "bgm", None, [idle_but_unqualified, busy_but_qualified])
    assert decision == ToEngineer(busy_but_qualified, Rule.LEAST_LOADED)


def test_the_fallback_skips_engineers_who_are_off_duty_or_full_whatever_their_load() -> None:
    """Fewest open tickets is not enough: the engineer must be on duty and below their own maximum."""
    off_duty_idle = _engineer("E02", duty=Duty.OFF, open_tickets=0)
    full_with_small_maximum = _engineer("E03", open_tickets=2, max_open_tickets=2)
    available = _engineer("E05", open_tickets=3, max_open_tickets=10)
    decision = route(ServiceKind.FAULT, "bgm", None, [off_duty_idle, full_with_small_maximum, available])
    assert decision == ToEngineer(available, Rule.LEAST_LOADED)


@pytest.mark.parametrize("owner_id", [None, "E99"], ids=["no owner", "owner not on the roster"])
def test_without_a_known_owner_the_least_loaded_qualified_engineer_gets_it(owner_id: str | None) -> None:
    roster = [_engineer("E01", open_tickets=2), _engineer("E02", open_tickets=1)]
    assert route(ServiceKind.FAULT, "av", owner_id, roster) == ToEngineer(roster[1], Rule.LEAST_LOADED)


@pytest.mark.parametrize(
    "roster",
    [
        [],
        [_engineer("E01", duty=Duty.OFF), _engineer("E02", open_tickets=5, max_open_tickets=5)],
        [_engineer("E03", skills=("signage",))],
    ],
    ids=["empty roster", "owner off duty and the other full", "only unqualified engineers"],
)
def test_with_nobody_available_the_ticket_waits_for_the_service_manager(roster: list[Engineer]) -> None:
    decision = route(ServiceKind.FAULT, "bgm", "E01", roster)
    assert isinstance(decision, ToManagerQueue)
    assert "bgm" in decision.why


def test_an_owner_on_call_still_gets_their_subsystem_and_on_shift_engineers_beat_on_call_ones() -> None:
    """The plan's dedicated engineer per subsystem: the owner on call at night is still the owner. Without
    the owner, an engineer on shift is preferred to a less loaded one on call."""
    owner_on_call = _engineer("E01", duty=Duty.ON_CALL)
    assert route(ServiceKind.FAULT, "bgm", "E01", [owner_on_call, _engineer("E02")]) == ToEngineer(
        owner_on_call, Rule.SUBSYSTEM_OWNER
    )
    on_leave = _engineer("E01", duty=Duty.ON_LEAVE)
    busy_on_shift = _engineer("E02", open_tickets=3)
    idle_on_call = _engineer("E05", duty=Duty.ON_CALL)
    assert route(ServiceKind.FAULT, "bgm", "E01", [on_leave, idle_on_call, busy_on_shift]) == ToEngineer(
        busy_on_shift, Rule.LEAST_LOADED
    )


def test_the_managers_queue_says_why_engineer_by_engineer() -> None:
    roster = [
        _engineer("E01", duty=Duty.ON_LEAVE),
        _engineer("E02", open_tickets=5, max_open_tickets=5),
        _engineer("E03", skills=("signage",)),
    ]
    decision = route(ServiceKind.FAULT, "bgm", "E01", roster)
    assert isinstance(decision, ToManagerQueue)
    assert (decision.why, decision.cause) == (
        "nobody on duty with room for bgm: E01 on leave; E02 full (5 of 5)",
        Cause.NOBODY_FREE,
    )
    # The same as codes and figures, for the pages to word in their reader's language.
    assert decision.facts == {
        "cause": "nobody_free",
        "subsystem": "bgm",
        "engineers": [
            {"engineer_id": "E01", "duty": "on_leave", "open_tickets": 0, "max_open_tickets": 5, "reachable": False},
            {"engineer_id": "E02", "duty": "on_shift", "open_tickets": 5, "max_open_tickets": 5, "reachable": True},
        ],
        "more": 0,
    }


def test_a_large_roster_is_named_up_to_a_bound_so_the_event_stays_within_its_contract() -> None:
    roster = [_engineer(f"ENGINEER-{n:03}", duty=Duty.ON_LEAVE) for n in range(500)]
    decision = route(ServiceKind.FAULT, "bgm", None, roster)
    assert isinstance(decision, ToManagerQueue)
    assert decision.why.count("on leave") == NAMED_IN_WHY
    assert decision.why.endswith(f"; and {500 - NAMED_IN_WHY} more")
    assert (len(decision.facts["engineers"]), decision.facts["more"]) == (NAMED_IN_WHY, 500 - NAMED_IN_WHY)
    TicketAwaitingAssignment(ticket_id="T", site_code="S", subsystem="bgm", why=decision.why, since=datetime.now(UTC))


def test_candidates_come_best_first_with_their_reasons() -> None:
    roster = [
        _engineer("E03", skills=("signage",)),
        _engineer("E02", open_tickets=2),
        _engineer("E01", duty=Duty.OFF),
        _engineer("E05", duty=Duty.ON_CALL),
    ]
    ranked = candidates("bgm", "E01", roster)
    assert [(c.engineer.engineer_id, c.eligible) for c in ranked] == [
        ("E02", True),
        ("E05", True),
        ("E01", False),
        ("E03", False),
    ]
    assert ranked[2].reasons == ["owns this subsystem here", "has the skill", "off", "0 of 5 open tickets"]
    assert ranked[3].reasons == ["lacks the skill", "on shift", "0 of 5 open tickets"]


def test_a_question_about_the_service_as_a_whole_waits_for_the_manager_and_a_complaint_for_the_desk() -> None:
    roster = [_engineer("E01", skills=("bgm", "av", "service"))]  # even one who claims it
    question = route(ServiceKind.CONSULTATION, "service", None, roster)
    assert isinstance(question, ToManagerQueue)
    assert (question.cause, question.facts) == (Cause.ABOUT_THE_SERVICE, {"cause": "about_the_service"})
    assert route(ServiceKind.COMPLAINT, "service", None, roster) == ToQualityDesk()
