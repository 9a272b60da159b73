"""Who may be kept as a person of the console, and how a password proves it: Argon2id hashes, checked
in constant time, never the password itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from services.console.domain.people import (
    Person,
    PersonRefused,
    acceptable,
    checked,
    needs_new_hash,
    password_hash,
    proves,
)
from services.console.domain.throttle import (
    FROM_AN_ADDRESS,
    FROM_ANYWHERE,
    address_group,
    by_address,
    counted,
    counted_before,
)
from shared.identity import Role

ENGINEER = Person("wang.lei", "王磊 Wang Lei", frozenset({Role.ENGINEER}), engineer_id="E01")


@pytest.mark.parametrize(
    ("person", "reason"),
    [
        (Person("Wang Lei", "王磊", frozenset({Role.ENGINEER}), engineer_id="E01"), "bad_username"),
        (Person("wang.lei", " ", frozenset({Role.ENGINEER}), engineer_id="E01"), "name_missing"),
        (Person("wang.lei", "王磊", frozenset()), "no_role"),
        (Person("wang.lei", "王磊", frozenset({Role.ENGINEER})), "engineer_id_missing"),
        (Person("xu.jing", "徐静", frozenset({Role.CUSTOMER})), "site_missing"),
        (Person("xu.jing", "徐静", frozenset({Role.CUSTOMER, Role.MANAGER}), site_code="HH138"), "customer_and_staff"),
    ],
)
def test_a_person_is_refused_with_what_to_change(person: Person, reason: str) -> None:
    with pytest.raises(PersonRefused) as refused:
        checked(person)
    assert refused.value.reason == reason


def test_a_person_signs_in_as_the_identity_the_services_trust() -> None:
    identity = checked(ENGINEER).identity()
    assert (identity.subject, identity.engineer_id, identity.actor) == ("wang.lei", "E01", "王磊 Wang Lei (wang.lei)")
    customer = checked(Person("xu.jing", "徐静", frozenset({Role.CUSTOMER}), site_code="HH138")).identity()
    assert customer.customer_only
    assert not customer.sees("LOAD1")


def test_a_password_is_kept_as_an_argon2id_hash_that_proves_it_and_nothing_else() -> None:
    stored = password_hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert proves("correct horse battery", stored)
    assert not proves("correct horse battery!", stored)
    assert not proves("correct horse battery", "not a hash")
    assert not needs_new_hash(stored)
    weaker = PasswordHasher(time_cost=1, memory_cost=8192).hash("correct horse battery")
    assert proves("correct horse battery", weaker)
    assert needs_new_hash(weaker)  # replaced at the next good sign-in


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 12 characters"),
        ("aaaaaaaaaaaa", "Repeats"),
        ("password1234", "very common"),
        ("qwertyuiop123", "very common"),
        ("wang.lei.2026!", "user name"),
        ("WANG.LEI-secret-xyz", "user name"),
    ],
)
def test_a_password_too_easy_to_guess_is_refused_saying_why(password: str, why: str) -> None:
    with pytest.raises(PersonRefused, match=why):
        acceptable(password, ENGINEER)


def test_a_hard_password_is_accepted() -> None:
    assert acceptable("correct horse battery staple", ENGINEER) == "correct horse battery staple"


def test_wrong_passwords_make_a_key_wait_ever_longer_up_to_its_ceiling() -> None:
    waits = [FROM_AN_ADDRESS.wait_after(n).total_seconds() for n in range(1, 17)]
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert FROM_ANYWHERE.wait_after(49) == timedelta(0)  # many addresses guessing at one name: late, and short
    assert FROM_ANYWHERE.wait_after(80) == timedelta(minutes=1)
    assert by_address(20).wait_after(19) == timedelta(0)
    assert by_address(20).wait_after(40) == timedelta(minutes=15)


def test_an_attempt_is_counted_for_the_name_from_its_address_for_its_address_and_for_the_name() -> None:
    addresses = by_address(20)
    assert [(t.key(v)) for t, v in counted("Wang.Lei", "198.51.100.7", addresses)] == [
        "pair:wang.lei|198.51.100.7",
        "address:198.51.100.7",
        "name:wang.lei",
    ]
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_group("::ffff:198.51.100.7") == "198.51.100.7"


def test_wrong_passwords_are_forgotten_an_hour_after_the_last() -> None:
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert counted_before(7, now - timedelta(minutes=59), now) == 7
    assert counted_before(7, now - timedelta(minutes=61), now) == 0
    assert counted_before(7, None, now) == 0
