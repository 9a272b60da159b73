"""Whom each step of a paging chain wakes, from the site's engineers as the roster has them now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.dispatch.roster.domain import Duty, Engineer
from services.dispatch.tickets.domain.paging import PagingChain, whom_to_page
from shared.contracts import PageTo


def _engineer(engineer_id: str, duty: Duty, *skills: str, open_tickets: int = 0) -> Engineer:
    return Engineer(
        engineer_id, engineer_id.lower(), frozenset(skills), duty, max_open_tickets=3, open_tickets=open_tickets
    )


HOLDER = _engineer("E01", Duty.ON_CALL, "bgm")
SITE = [
    HOLDER,
    _engineer("E02", Duty.ON_CALL, "av", open_tickets=0),
    _engineer("E03", Duty.ON_CALL, "bgm", open_tickets=3),  # full, but a page asks them to see to it, not take it
    _engineer("E04", Duty.ON_LEAVE, "bgm"),
    _engineer("E05", Duty.OFF, "bgm"),
]


def _page(
    step: str, engineers: list[Engineer] = SITE, paged: tuple[str, ...] = ()
) -> tuple[PageTo, str | None, str | None]:
    page = whom_to_page(step, engineers, subsystem="bgm", holder="E01", paged=paged)
    return page.to, page.engineer.engineer_id if page.engineer else None, page.nobody_because


def test_the_backup_is_someone_else_on_duty_with_the_skill_first_then_the_least_loaded() -> None:
    assert _page("backup_on_call") == (PageTo.BACKUP_ON_CALL, "E03", None)
    assert _page("backup_on_call", paged=("E03",)) == (PageTo.BACKUP_ON_CALL, "E02", None)
    assert _page("backup_on_call", paged=("E03", "E02")) == (PageTo.BACKUP_ON_CALL, None, "nobody_on_duty")


def test_a_named_engineer_is_paged_only_on_duty_and_once() -> None:
    assert _page("E02") == (PageTo.ENGINEER, "E02", None)
    assert _page("E05") == (PageTo.ENGINEER, None, "off_duty")
    assert _page("E04") == (PageTo.ENGINEER, None, "off_duty")
    assert _page("E09") == (PageTo.ENGINEER, None, "not_serving")
    assert _page("E01") == (PageTo.ENGINEER, None, "already_told")  # the holder themself
    assert _page("E02", paged=("E02",)) == (PageTo.ENGINEER, None, "already_told")


def test_the_service_managers_are_always_woken() -> None:
    page = whom_to_page("service_managers", [], subsystem="bgm", holder=None, paged=())
    assert (page.to, page.wakes_someone) == (PageTo.SERVICE_MANAGERS, True)
    assert not whom_to_page("backup_on_call", [], subsystem="bgm", holder=None, paged=()).wakes_someone


def test_a_site_without_a_chain_pages_the_backup_then_the_managers_five_minutes_apart() -> None:
    chain = PagingChain.of_site(None)
    assert (chain.steps, chain.between_steps) == (("backup_on_call", "service_managers"), timedelta(minutes=5))
    assert (chain.step(0), chain.step(1), chain.step(2)) == ("backup_on_call", "service_managers", None)
    mine = PagingChain.of_site({"steps": ["E05", "service_managers"], "minutes_between_steps": 0.5})
    assert (mine.steps, mine.between_steps) == (("E05", "service_managers"), timedelta(seconds=30))
    with pytest.raises(ValidationError):
        PagingChain.of_site({"steps": [], "minutes_between_steps": -1})
