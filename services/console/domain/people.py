"""The people who sign in to the console: who they are, what roles they hold, and how a password proves
it. Passwords are kept only as Argon2id hashes (argon2-cffi, with its current recommended parameters);
a hash made with older parameters is replaced at the next good sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from shared.identity import Identity, Role
from shared.refusals import Refused

USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
MIN_PASSWORD = 12
MIN_STRENGTH = 3  # zxcvbn's score, 0 to 4: 3 is "safely unguessable: moderate protection from offline attack"
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


def acceptable(password: str, person: Person) -> str:
    """The password, if a person may choose it: long enough, not theirs by name, not among the commonest
    passwords nor guessable from patterns (repeats, sequences, keyboard rows, dates), judged by zxcvbn."""
    if len(password) < MIN_PASSWORD:
        raise PersonRefused("weak_password", f"a password has at least {MIN_PASSWORD} characters")
    folded = password.casefold()
    if person.username.casefold() in folded or (len(person.name) >= 4 and person.name.casefold() in folded):
        raise PersonRefused("weak_password", "a password must not contain the person's user name or name")
    judged = zxcvbn(password[:100], user_inputs=[person.username, person.name])  # its time grows with length
    if judged["score"] < MIN_STRENGTH:
        hint = judged["feedback"]["warning"] or "it is too easy to guess"
        raise PersonRefused("weak_password", f"choose a harder password: {hint}")
    return password


def password_hash(password: str) -> str:
    return HASHER.hash(password)


def proves(password: str, stored_hash: str) -> bool:
    """Whether the password is the one the hash was made from."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_new_hash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def changes_between(before: Person, after: Person, *, same_password: bool) -> list[str]:
    """What changed of a person's access, as `account.changed` names it: each ends their older tokens."""
    changes = []
    if before.active and not after.active:
        changes.append("closed")
    if after.active and not before.active:
        changes.append("reopened")
    if (before.roles, before.engineer_id, before.site_code) != (after.roles, after.engineer_id, after.site_code):
        changes.append("roles")
    if not same_password:
        changes.append("password")
    return changes
