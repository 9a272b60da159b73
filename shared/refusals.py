"""One shape for every refusal a service's rules make: a machine-readable reason and a message that
says what to change. The HTTP edge answers it as a 4xx; a queue consumer keeps it with the message."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    def __init__(self, reason: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail
