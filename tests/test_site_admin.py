"""Sites administered over HTTP, against the real database and broker: the administrator sends a site
file to each service that keeps a part of it and each loads its part as the seed step does (a new site
is then known to intake and dispatch, and described to the others); a file that is no site file, or
another site's, is refused with what to fix; only an administrator may send one."""

from __future__ import annotations

from pathlib import Path

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import running
from testkit.sites import site_file_copy
from testkit.waiting import eventually
from testkit.world import World

TOML = {"Content-Type": "application/toml"}


async def test_a_site_file_sent_to_each_service_adds_the_site(seeded: World, tap: EventTap, tmp_path: Path) -> None:
    code, path = site_file_copy(tmp_path)
    text = path.read_bytes()
    async with running(seeded, "intake", "dispatch", "archive") as suite:
        intake, dispatch, archive = suite["intake"].http, suite["dispatch"].http, suite["archive"].http
        for service in (intake, dispatch):
            loaded = await service.put(f"/sites/{code}/site-file", content=text, headers=TOML)
            assert (loaded.status_code, loaded.json()["site_code"]) == (200, code), loaded.text
        kept_none = await archive.put(f"/sites/{code}/site-file", content=text, headers=TOML)
        assert (kept_none.status_code, kept_none.json()["error"]) == (404, "no_site_part")

        assert code in {site["code"] for site in (await intake.get("/sites")).json()}
        assert (await dispatch.get(f"/sites/{code}/roster")).status_code == 200

        async def described() -> bool:
            return any(e["payload"]["site_code"] == code for e in tap.events("site.described"))

        await eventually(described, what=f"{code} described to the other services")

        again = await intake.put(f"/sites/{code}/site-file", content=text, headers=TOML)
        assert again.status_code == 200  # loading the same site again changes it in place

        refused = {
            "not TOML": (b"code = ", "unreadable_site_file"),
            "no site": (b'title = "x"\n', "invalid_site_file"),
            "another site": (text.replace(code.encode(), b"TOTHER1"), "other_site"),
        }
        for why, (body, error) in refused.items():
            answer = await intake.put(f"/sites/{code}/site-file", content=body, headers=TOML)
            assert (answer.status_code, answer.json()["error"]) == (422, error), why
        manager = bearer("mgr", Role.MANAGER)
        answer = await intake.put(f"/sites/{code}/site-file", content=text, headers={**TOML, **manager})
        assert answer.status_code == 403
