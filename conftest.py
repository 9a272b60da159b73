"""Fixtures for every test: a throwaway database and RabbitMQ virtual host for the whole run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import services
from shared.service import seed_site
from shared.site_file import DEMO_SITE
from testkit.broker import EventTap, event_tap
from testkit.machine import LOAD_TEST_SITE
from testkit.world import World, create_world, destroy_world

pytest_plugins = ["testkit.figures"]  # the figures the tests measure, printed at the end of every run


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    created = create_world()
    try:
        yield created
    finally:
        destroy_world(created)


@pytest.fixture(scope="session")
async def seeded(world: World) -> World:
    """The world with the demo site (HH138) and the load-test site (LOAD1, for tests that push many
    tickets) loaded into every service that keeps part of a site."""
    for name in services.NAMES:
        for site in (DEMO_SITE, LOAD_TEST_SITE):
            await seed_site(services.definition(name), world.database_url, site)
    return world


@pytest.fixture
async def tap(world: World) -> AsyncIterator[EventTap]:
    async with event_tap(world.amqp_url) as collected:
        yield collected
