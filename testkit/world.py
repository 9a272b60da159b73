"""A world of one's own for a test run: a PostgreSQL database and a RabbitMQ virtual host, every
service's schema migrated into the database. Created once per run, dropped at its end."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

import services
from services.broker_users import broker_user
from shared.identity import one_line
from shared.persistence import migrations
from shared.persistence.database import drop_database, ensure_database
from shared.service import declare_topology
from shared.settings import ServiceSettings
from testkit.identities import PRIVATE_KEY, PUBLIC_KEY
from testkit.machine import AMQP_BASE_URL, BROKER_ADMIN_URL, POSTGRES_URL, TEST_NAME_PREFIX, rabbitmqctl


@dataclass(frozen=True)
class World:
    """A database and a virtual host of one's own."""

    name: str
    database_url: str
    amqp_url: str
    vhost: str

    def settings(self, service: str, **overrides: Any) -> ServiceSettings:
        """Settings of a service pointed at this world, quick to retry, quiet to poll."""
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "amqp_url": self.amqp_url,
            "retry_delay_ms": 200,
            "max_attempts": 3,
            "outbox_poll_seconds": 1.0,
            "graceful_timeout_seconds": 5.0,
            "db_pool_size": 5,
            "auth_public_key": PUBLIC_KEY,
        }
        if service == "console":
            values["signing_key"] = PRIVATE_KEY
        values.update(overrides)
        return services.definition(service).settings_class(**values)

    def environment(self) -> dict[str, str]:
        """Environment variables that point every service process at this world."""
        return {
            "AFTERCARE_DATABASE_URL": self.database_url,
            "AFTERCARE_AMQP_URL": self.amqp_url,
            "AFTERCARE_PROVISION_BROKER_URL": BROKER_ADMIN_URL,  # where `aftercare up` makes its broker users
            "AFTERCARE_AUTH_PUBLIC_KEY": PUBLIC_KEY,
            "CONSOLE_SIGNING_KEY": one_line(PRIVATE_KEY),
        }


# A world's name says which process made it, so that the next run can remove the worlds of runs that died
# without their cleanup (a killed run): their virtual hosts' queues hold the broker's file handles, and
# past its limit (1,024 on a default install) the broker stalls every new virtual host.
_OWNED = re.compile(re.escape(TEST_NAME_PREFIX) + r"p(\d+)_[0-9a-f]+")


def create_world() -> World:
    remove_worlds_of_dead_runs()
    name = f"{TEST_NAME_PREFIX}p{os.getpid()}_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    world = World(
        name=name,
        database_url=f"{base}/{name}",
        amqp_url=f"{AMQP_BASE_URL.rstrip('/')}/{quote(name, safe='')}",
        vhost=name,
    )
    asyncio.run(ensure_database(world.database_url))
    for service in services.NAMES:
        migrations.upgrade(services.definition(service).migrations_dir, world.database_url)
        asyncio.run(declare_topology(services.definition(service), world.settings(service)))
    return world


def remove_worlds_of_dead_runs() -> None:
    """Destroy the worlds whose process is no longer running on this machine."""
    with httpx.Client(base_url=BROKER_ADMIN_URL, timeout=30) as admin:
        vhosts = [vhost["name"] for vhost in admin.get("/api/vhosts").raise_for_status().json()]
    base = POSTGRES_URL.rsplit("/", 1)[0]
    for vhost in vhosts:
        owner = _OWNED.fullmatch(vhost)
        if owner is not None and not _running(int(owner[1])):
            destroy_world(World(name=vhost, database_url=f"{base}/{vhost}", amqp_url=AMQP_BASE_URL, vhost=vhost))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def destroy_world(world: World) -> None:
    asyncio.run(drop_database(world.database_url))
    rabbitmqctl("delete_vhost", world.vhost)
    with httpx.Client(base_url=BROKER_ADMIN_URL, timeout=10) as admin:  # what `aftercare up` made in it
        for service in services.NAMES:
            admin.delete(f"/api/users/{quote(broker_user(service, world.vhost), safe='')}")
