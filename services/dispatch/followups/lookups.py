"""What the follow-ups' tables offer the other areas' queries, so that no other area reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, select

from services.dispatch.followups.tables import follow_up_calls


def last_satisfaction(ticket_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The satisfaction of the ticket's last follow-up call that reached the customer and was scored."""
    return (
        select(follow_up_calls.c.satisfaction)
        .where(
            follow_up_calls.c.ticket_id == ticket_id,
            follow_up_calls.c.reached.is_(True),
            follow_up_calls.c.satisfaction.is_not(None),
        )
        .order_by(follow_up_calls.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
