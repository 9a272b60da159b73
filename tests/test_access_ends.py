"""Access ends when it is taken away, over the real broker and database, in every service: a person
whose account is closed, or whose roles or password change, finds the token they had refused (401
`token_revoked`) by every service within seconds, though it has hours left; signing in again gives a
token that says what they may do now, and a closed account gets none."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from testkit.in_process import RunningService, running
from testkit.waiting import eventually
from testkit.world import World

SERVICES = ("console", "intake", "dispatch", "sla", "vendor", "archive", "webhooks")
# A call each service answers a manager with 200, and a customer's representative of HH138 too for webhooks.
CALLS = {
    "console": "/me",
    "intake": "/sites",
    "dispatch": "/queues/at-risk",
    "sla": "/policies",
    "vendor": "/cases",
    "archive": "/sites/HH138/registers",
    "webhooks": "/subscriptions?site_code=HH138",
}
PASSWORD = "a long enough secret"


async def _sign_in(console: RunningService, username: str, password: str = PASSWORD) -> dict[str, str]:
    answer = await console.http.post("/token", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _answers(suite: dict[str, RunningService], token: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    async def one(name: str) -> tuple[int, str | None]:
        answer: httpx.Response = await suite[name].http.get(CALLS[name], headers=token)
        return answer.status_code, answer.json().get("error") if answer.status_code >= 400 else None

    return {name: await one(name) for name in names}


async def test_a_closed_account_s_token_is_refused_by_every_service_within_seconds(seeded: World) -> None:
    manager = f"mgr{uuid.uuid4().hex[:6]}"
    representative = f"rep{uuid.uuid4().hex[:6]}"
    terms = {"name": "关闭 Closed", "roles": ["manager"], "password": PASSWORD}
    customer = {"name": "代表 Rep", "roles": ["customer"], "site_code": "HH138", "password": PASSWORD}
    async with running(seeded, *SERVICES) as suite:
        console = suite["console"]
        assert (await console.http.put(f"/people/{manager}", json=terms)).status_code == 201
        assert (await console.http.put(f"/people/{representative}", json=customer)).status_code == 201
        staff_token = await _sign_in(console, manager)
        customer_token = await _sign_in(console, representative)
        staff = tuple(name for name in SERVICES if name != "webhooks")
        assert await _answers(suite, staff_token, staff) == dict.fromkeys(staff, (200, None))
        assert await _answers(suite, customer_token, ("webhooks",)) == {"webhooks": (200, None)}

        for username, body in ((manager, terms), (representative, customer)):
            closed = await console.http.put(f"/people/{username}", json={**body, "active": False})
            assert closed.status_code == 200, closed.text

        async def refused_everywhere() -> bool:
            assert await _answers(suite, staff_token, staff) == dict.fromkeys(staff, (401, "token_revoked"))
            assert await _answers(suite, customer_token, ("webhooks",)) == {"webhooks": (401, "token_revoked")}
            return True

        await eventually(refused_everywhere, timeout=10, what="every service refusing the closed accounts' tokens")
        again = await console.http.post("/token", json={"username": manager, "password": PASSWORD})
        assert (again.status_code, again.json()["error"]) == (401, "inactive")

        reopened = await console.http.put(f"/people/{manager}", json=terms)
        assert reopened.status_code == 200
        fresh = await _sign_in(console, manager)  # a token issued after the reopening is good again
        assert await _answers(suite, fresh, staff) == dict.fromkeys(staff, (200, None))


async def test_a_changed_role_or_password_ends_the_tokens_issued_before(seeded: World) -> None:
    username = f"mv{uuid.uuid4().hex[:6]}"
    terms = {"name": "换岗 Moved", "roles": ["manager"], "password": PASSWORD}
    async with running(seeded, "console", "intake", "dispatch") as suite:
        console, intake, dispatch = suite["console"], suite["intake"].http, suite["dispatch"].http
        assert (await console.http.put(f"/people/{username}", json=terms)).status_code == 201
        as_manager = await _sign_in(console, username)
        assert (await intake.get("/rejections", headers=as_manager)).status_code == 200

        unchanged = await console.http.put(f"/people/{username}", json={**terms, "name": "换岗 Moved Again"})
        assert unchanged.status_code == 200  # a new name ends nothing
        moved = await console.http.put(f"/people/{username}", json={**terms, "roles": ["quality"]})
        assert moved.status_code == 200

        async def manager_token_refused() -> bool:
            answer = await intake.get("/rejections", headers=as_manager)
            return bool(answer.status_code == 401 and answer.json()["error"] == "token_revoked")

        await eventually(manager_token_refused, timeout=10, what="the manager's token refused after the move")
        as_quality = await _sign_in(console, username)
        assert (await intake.get("/rejections", headers=as_quality)).json()["error"] == "forbidden"
        assert (await dispatch.get("/queues/at-risk", headers=as_quality)).status_code == 200

        changed = await console.http.put(
            f"/people/{username}", json={**terms, "roles": ["quality"], "password": "another long secret"}
        )
        assert changed.status_code == 200

        async def quality_token_refused() -> bool:
            answer = await dispatch.get("/queues/at-risk", headers=as_quality)
            return bool(answer.status_code == 401 and answer.json()["error"] == "token_revoked")

        await eventually(quality_token_refused, timeout=10, what="the token refused after the password changed")
        renewed = await _sign_in(console, username, "another long secret")
        assert (await dispatch.get("/queues/at-risk", headers=renewed)).status_code == 200
