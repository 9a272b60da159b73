"""What a handler raises when a message cannot be handled now: never (dead-lettered at once) or not
yet (tried again later)."""

from __future__ import annotations


class PermanentFailure(Exception):
    """Raised by a handler for a message that can never succeed; it is dead-lettered at once."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class NotYet(Exception):
    """Raised by a handler whose message needs another that has not arrived yet (the events of one ticket
    come from several services and may overtake each other). It is tried again later like any failure,
    but logged without a traceback: nothing is broken, and a backlog of them must not cost one each."""
