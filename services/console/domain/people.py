"""The people who sign in to the console: who they are, what roles they hold, and how a password proves
it. Passwords are kept only as Argon2id hashes (argon2-cffi, with its current recommended parameters);
a hash made with older parameters is replaced at the next good sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.identity import Identity, Role
from shared.refusals import Refused

USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
MIN_PASSWORD = 12
WRONG_IN_A_ROW = 5  # wrong passwords before the account waits
LOCKED_FOR = timedelta(minutes=15)
HASHER = PasswordHasher()


class PersonRefused(Refused):
    """A person the console will not keep as given."""


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    roles: frozenset[Role]
    engineer_id: str | None = None  # an engineer's id in dispatch's roster
    site_code: str | None = None  # the site a customer's representative belongs to
    active: bool = True

    def identity(self) -> Identity:
        return Identity(self.username, self.name, self.roles, engineer_id=self.engineer_id, site_code=self.site_code)


def checked(person: Person) -> Person:
    """The person if the console can keep them; else PersonRefused saying what to change."""
    if not USERNAME.fullmatch(person.username):
        raise PersonRefused(
            "bad_username", f"{person.username!r}: 2 to 40 lower-case letters, digits, '.', '_' or '-', a letter first"
        )
    if not person.name.strip():
        raise PersonRefused("name_missing", "a person needs the name history rows will show")
    if not person.roles:
        raise PersonRefused("no_role", f"{person.username} needs a role: {', '.join(role.value for role in Role)}")
    if Role.ENGINEER in person.roles and not person.engineer_id:
        raise PersonRefused("engineer_id_missing", "an engineer is bound to an engineer id of dispatch's roster (E01)")
    if Role.CUSTOMER in person.roles and not person.site_code:
        raise PersonRefused("site_missing", "a customer's representative is bound to the site they represent")
    if Role.CUSTOMER in person.roles and person.roles - {Role.CUSTOMER}:
        raise PersonRefused(
            "customer_and_staff", "a customer's representative holds no other role: make a second user for staff work"
        )
    return person


def password_hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PersonRefused("weak_password", f"a password has at least {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def proves(password: str, stored_hash: str) -> bool:
    """Whether the password is the one the hash was made from."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_new_hash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def after_wrong_password(failed_before: int, now: datetime) -> tuple[int, datetime | None]:
    """The count of wrong passwords in a row after one more, and until when the account then waits:
    after WRONG_IN_A_ROW, every password is refused for LOCKED_FOR, so that guessing takes years."""
    failed = failed_before + 1
    return (0, now + LOCKED_FOR) if failed >= WRONG_IN_A_ROW else (failed, None)
