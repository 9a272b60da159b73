"""A database URL naming a primary and its standbys, in SQLAlchemy's form, reaches asyncpg (which the
migration and provisioning steps call directly) with every host, not only the last."""

from __future__ import annotations

from shared.persistence.database import asyncpg_dsn

SEVERAL = (
    "postgresql+asyncpg://dispatch:p%40ss@/aftercare?host=db-0:5432&host=db-1:5433&target_session_attrs=read-write"
)


def test_several_hosts_go_into_the_address_in_order() -> None:
    assert (
        asyncpg_dsn(SEVERAL)
        == "postgresql://dispatch:p%40ss@db-0:5432,db-1:5433/aftercare?target_session_attrs=read-write"
    )


def test_one_host_stays_as_it_is() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://postgres@127.0.0.1:5432/aftercare") == (
        "postgresql://postgres@127.0.0.1:5432/aftercare"
    )
    assert asyncpg_dsn("postgresql+asyncpg:///aftercare?host=a:1&host=b:2") == "postgresql://a:1,b:2/aftercare"
