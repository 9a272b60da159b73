"""People for a site description's demo: the office staff once, then for each site its engineers, the
staff the file names, and its customer's representative. Each new person gets a random password, shown
once in the summary (`make up` prints it); people who exist keep theirs."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from services.console import people
from services.console.db import people as people_rows
from services.console.domain.people import Person
from shared.identity import Role
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import engineer_username, load_site_file

OFFICE = (
    Person("zhao.min", "赵敏 Zhao Min", frozenset({Role.OPERATOR})),
    Person("liu.yang", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
    Person("zhou.qing", "周青 Zhou Qing", frozenset({Role.QUALITY})),
    Person("admin", "Administrator", frozenset({Role.ADMIN})),
)
OFFICE_IDENTITIES = tuple(person.identity() for person in OFFICE)


def _site_of(roles: Sequence[str], code: str) -> str | None:
    """A customer's representative sees only their own site; office people every site."""
    return code if Role.CUSTOMER in roles else None


async def load_people(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    code = described.site.code
    wanted = [
        *OFFICE,
        *(
            Person(engineer_username(e, code), e.name, frozenset({Role.ENGINEER}), engineer_id=e.id)
            for e in described.engineers
        ),
        *(
            Person(s.username, s.name, frozenset(Role(r) for r in s.roles), site_code=_site_of(s.roles, code))
            for s in described.staff
        ),
        Person(f"{code.lower()}.customer", described.site.customer, frozenset({Role.CUSTOMER}), site_code=code),
    ]
    wanted = list({person.username: person for person in reversed(wanted)}.values())[::-1]  # the first of a name
    created = []
    async with database.unit_of_work() as uow:
        for person in wanted:
            if await people_rows.find(uow.connection, person.username) is None:
                password = secrets.token_urlsafe(12)
                await people.keep(uow, person, password)
                created.append(f"{person.username} ({', '.join(sorted(person.roles))}) password {password}")
    return f"{code}: {len(created)} new people may sign in" + "".join(f"\n  {line}" for line in created)
