"""Every service's operations routes: its dead-letter queues, how many wait in each, what each letter
is and why it died, and sending letters back once their cause is fixed (what `aftercare dead-letters`
does on the command line, for the administrator's page); and who may call them, and a site file's
loading (shared/site_loading.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shared.access import AccessTable, only
from shared.identity import Role
from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters
from shared.problems import Problem
from shared.runtime import ServiceRuntime
from shared.site_loading import SITE_LOADING_ACCESS

operations = APIRouter(tags=["operations"])
OPERATIONS_ACCESS: AccessTable = {
    ("GET", "/dead-letters"): only(Role.MANAGER, Role.OPERATOR),
    # A letter holds the message whole (a customer's words, a partner's reply): administrators only.
    ("GET", "/dead-letters/{queue}"): only(),
    ("POST", "/dead-letters/{queue}/replay"): only(),
}
SHOWN_BODY = 4000  # characters of a letter's body shown; the rest stays in the queue


def access_table(service_access: AccessTable) -> AccessTable:
    """Who may call each route of a service: its own table, and every service's operations routes."""
    return {**service_access, **OPERATIONS_ACCESS, **SITE_LOADING_ACCESS}


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


@operations.get("/dead-letters")
async def dead_letters_waiting(request: Request) -> list[dict[str, Any]]:
    """The service's dead-letter queues and how many messages wait in each (`aftercare dead-letters`
    shows them and sends them back)."""
    runtime = _runtime(request)
    try:
        return [{"queue": q.dead_queue, "waiting": await runtime.publisher.depth(q.dead_queue)} for q in runtime.queues]
    except ConnectionError as down:
        raise Problem(503, "broker_unreachable", f"the broker does not answer: {down}") from down


def _own_queue(runtime: ServiceRuntime, queue: str) -> str:
    """The consumer queue a dead-letter queue belongs to (`dispatch.inbox` for `dispatch.inbox.dead`)."""
    name = queue.removesuffix(".dead")
    if name not in {q.name for q in runtime.queues}:
        known = ", ".join(q.dead_queue for q in runtime.queues)
        raise Problem(404, "unknown_queue", f"{runtime.definition.name} has no queue {queue!r}: {known}")
    return name


@operations.get("/dead-letters/{queue}")
async def dead_letters_of(
    queue: str, request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """The letters waiting in one dead-letter queue, oldest first, each with why it died; they stay there."""
    runtime = _runtime(request)
    try:
        letters = await list_dead_letters(runtime.settings.amqp_url, _own_queue(runtime, queue), limit=limit)
    except ConnectionError as down:
        raise Problem(503, "broker_unreachable", f"the broker does not answer: {down}") from down
    return [
        {
            "message_id": letter.message_id,
            "message_type": letter.message_type,
            "correlation_id": letter.correlation_id,
            "reason": letter.reason,
            "detail": letter.detail,
            "dead_at": letter.dead_at,
            "body": letter.body[:SHOWN_BODY].decode("utf-8", "replace"),
            "body_bytes": letter.body_bytes,
            "cut": letter.cut,
        }
        for letter in letters
    ]


class Replay(BaseModel):
    message_id: str | None = Field(None, max_length=200, description="Only this letter (a forged one: only so).")
    message_type: str | None = Field(None, max_length=200, description="Only letters of this event type.")
    limit: int = Field(100, ge=1, le=10_000)


@operations.post("/dead-letters/{queue}/replay")
async def replay(queue: str, request: Request, asked: Replay | None = None) -> dict[str, Any]:
    """Send letters back to the queue they died on, with a fresh count of attempts: every one (up to
    `limit`), one event type's, or one letter. A letter refused as forged goes back only when named."""
    runtime, asked = _runtime(request), asked or Replay()
    try:
        replayed = await replay_dead_letters(
            runtime.settings.amqp_url,
            _own_queue(runtime, queue),
            limit=asked.limit,
            message_id=asked.message_id,
            message_type=asked.message_type,
        )
    except ConnectionError as down:
        raise Problem(503, "broker_unreachable", f"the broker does not answer: {down}") from down
    return {"queue": queue, "replayed": replayed}
