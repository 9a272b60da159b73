"""A real browser for the console's tests: Debian's Chromium driven by Playwright (no browser is
downloaded), people who sign in with a known password, and screenshots kept as artifacts."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

import services
from services.console import people
from services.console.domain.people import Person
from shared.persistence.database import create_engine
from shared.service import database_of
from testkit.world import World

CHROMIUM = os.environ.get("AFTERCARE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("AFTERCARE_ARTIFACTS", "build/artifacts")) / "console"
PASSWORD = "correct horse battery staple"  # noqa: S105 - the test people's, in throwaway worlds
DESK: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 360, "height": 740}
# What a page is waited for: Playwright's own 5 s is less than a page that asks every service (the site
# file goes to six) takes on a CI box busy with the suite's background work; a page that never comes still fails.
expect.set_options(timeout=20_000)


@asynccontextmanager
async def chromium(*args: str) -> AsyncIterator[Browser]:
    """The browser, with Chromium's own switches added by a test (`args`: a fake camera, say)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", *args])
        try:
            yield launched
        finally:
            await launched.close()


async def keep_people(world: World, *persons: Person) -> None:
    """People who may sign in to the console, each with PASSWORD."""
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with database_of(services.definition("console"), engine).unit_of_work() as uow:
            for person in persons:
                await people.keep(uow, person, PASSWORD)
    finally:
        await engine.dispose()


async def signed_in(browser: Browser, console: str, username: str, viewport: ViewportSize, **context: Any) -> Page:
    """A page of a browser context of its own (`context`: geolocation, permissions, ...), signed in."""
    opened = await browser.new_context(viewport=viewport, base_url=console, locale="zh-CN", **context)
    page = await opened.new_page()
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/sign-in"))
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).not_to_have_url(re.compile(r"/sign-in"))
    return page


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
