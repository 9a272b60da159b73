"""Events of the people who sign in (the console keeps them): access that ends or changes reaches every
service, which refuses the tokens issued to the person before the change (shared/access_ends.py)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.bounds import Code, Name
from shared.contracts.envelope import Event


class AccountChanged(Event):
    """A person's access changed: their account closed or opened again, their roles, engineer id or site
    changed, or their password. Every token issued to them before `changed_at` is refused from now on;
    they sign in again for one that says what they may do now."""

    message_type: ClassVar[str] = "account.changed"

    username: Name = Field(description="The person's user name: the `sub` of their tokens.")
    changes: list[Code] = Field(
        max_length=8, description="What changed: closed, reopened, roles (or engineer id or site), password."
    )
    active: bool = Field(description="Whether the person may sign in now.")
    changed_at: AwareDatetime
