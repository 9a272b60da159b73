"""Sites of a test's own: a copy of a site description under a new code, loaded into the services
that keep part of a site, so that a test may change its register, contracts or roster freely.

A copy has no planned inspections unless asked: the demo's plans fall due on dates of their own (the
monthly one on a month's first Monday), and a visit opening beside a test's own would make the test
depend on the day it runs. A test that needs a visit puts a plan of its own."""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

import services
from shared.service import seed_site
from shared.site_file import DEMO_SITE
from testkit.world import World


async def fresh_site(
    world: World, *, like: Path = DEMO_SITE, names: tuple[str, ...] = services.NAMES, inspection_plans: bool = False
) -> str:
    """Load a copy of `like` (the demo site by default) under a new site code; returns the code. Every
    code in the file that starts with the old site code (asset tags, contract codes) gets the new one,
    and the engineers are the site's own (`<code>-E01`), so their rosters and loads are the test's."""
    with tempfile.TemporaryDirectory() as directory:
        new, path = site_file_copy(Path(directory), like=like, inspection_plans=inspection_plans)
        for name in names:
            await seed_site(services.definition(name), world.database_url, path)
    return new


def site_file_copy(directory: Path, *, like: Path = DEMO_SITE, inspection_plans: bool = False) -> tuple[str, Path]:
    """A copy of `like` under a new site code, written into `directory` and loaded nowhere (as
    `fresh_site` loads it); returns the code and the file."""
    new = f"T{uuid.uuid4().hex[:7].upper()}"
    path = directory / f"{new}.toml"
    _copy(like, path, new, inspection_plans=inspection_plans)
    return new, path


def _copy(site: Path, to: Path, code: str, *, inspection_plans: bool) -> None:
    text = site.read_text() if inspection_plans else _without_inspection_plans(site.read_text())
    old = re.search(r'^code = "([A-Z0-9]+)"', text, re.MULTILINE)
    assert old is not None, f"{site} names no site code"
    text = re.sub(rf'"{old[1]}(-[^"]*)?"', lambda m: f'"{code}{m[1] or ""}"', text)
    # A serial number names one device everywhere: the copy's devices get serials of their own.
    text = re.sub(r'(serial_number = ")([^"]+)"', lambda m: f'{m[1]}{code}-{m[2]}"', text)
    engineers = set(re.findall(r'^id = "([^"]+)"', text, re.MULTILINE))
    text = re.sub(
        r'^(id|owner) = "([^"]+)"',
        lambda m: f'{m[1]} = "{code}-{m[2]}"' if m[2] in engineers else m[0],
        text,
        flags=re.MULTILINE,
    )
    text = re.sub(  # a paging chain's steps may name engineers too
        r"^steps = \[[^\]]*\]",
        lambda m: re.sub(r'"([^"]+)"', lambda s: f'"{code}-{s[1]}"' if s[1] in engineers else s[0], m[0]),
        text,
        flags=re.MULTILINE,
    )
    to.write_text(text)


def _without_inspection_plans(text: str) -> str:
    """The site file without its `[[inspections]]` tables (each runs to the next table header)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            inside = line.strip() == "[[inspections]]"
        if not inside:
            kept.append(line)
    return "".join(kept)


async def mail_site(world: World, directory: Path) -> str:
    """A copy of the demo site, loaded into intake and dispatch, whose customer writes from a mail domain
    of its own (`<code>.example`): the e-mail hotline tells its mails from every other copy's."""
    code, path = site_file_copy(directory, like=DEMO_SITE)
    path.write_text(path.read_text().replace("@infinity-mall.example", f"@{code.lower()}.example"))
    for name in ("intake", "dispatch"):
        await seed_site(services.definition(name), world.database_url, path)
    return code
