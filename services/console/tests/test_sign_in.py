"""Signing in over the real database: an administrator keeps a person, the person signs in with their
password for a token every service accepts, a wrong password or an unknown name gets the same 401, and
the token names who signed in."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import subprocess
import sys
import uuid

import httpx
from sqlalchemy import text

from services.console.db import sign_in_failures
from services.console.domain.throttle import FROM_ANYWHERE
from shared.http import create_app
from shared.identity import Role
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.waiting import eventually
from testkit.world import World


async def test_a_person_signs_in_and_every_service_knows_them(seeded: World) -> None:
    username = f"op{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console", "intake") as suite:
        console = suite["console"].http
        terms = {"name": "赵敏 Zhao Min", "roles": ["operator"], "password": "a long enough secret"}
        created = await console.put(f"/people/{username}", json=terms)
        assert (created.status_code, created.json()["roles"]) == (201, ["operator"]), created.text
        assert "password" not in created.text
        for weak in ("short", "aaaaaaaaaaaa", "password1234", f"{username}-2026-x"):
            refused = await console.put(f"/people/{username}", json={**terms, "password": weak})
            assert (refused.status_code, refused.json()["error"]) == (422, "weak_password"), weak
        not_admin = await console.get("/people", headers=bearer("zhao.min", Role.OPERATOR))
        assert not_admin.status_code == 403

        signed_in = await console.post("/token", json={"username": username, "password": "a long enough secret"})
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await console.get("/me", headers=headers)).json()["name"] == "赵敏 Zhao Min"
        assert (await suite["intake"].http.get("/sites", headers=headers)).status_code == 200
        refused = await suite["intake"].http.get("/rejections", headers=bearer("x", Role.ENGINEER))
        assert refused.status_code == 403

        for wrong in (
            {"username": username, "password": "a long enough secreT"},
            {"username": "nobody", "password": "x"},
        ):
            answer = await console.post("/token", json=wrong)
            assert answer.status_code == 401
            problem = answer.json()
            assert (problem["error"], problem["detail"]) == (
                "wrong_credentials",
                "the user name or the password is wrong",
            )


async def test_a_person_added_on_the_command_line_signs_in(seeded: World) -> None:
    username = f"eng{uuid.uuid4().hex[:6]}"
    command = [sys.executable, "-m", "services", "users", "add", username, "--name", "李娜 Li Na"]
    environment = {**os.environ, **seeded.environment()}

    def run(*extra: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *extra, "--password-stdin"], input=password + "\n", env=environment,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    refused = await asyncio.to_thread(run, "--role", "engineer", password="twelve chars!")
    assert refused.returncode == 2
    assert "bound to an engineer id" in refused.stderr
    added = await asyncio.to_thread(run, "--role", "engineer", "--engineer-id", "E02", password="twelve chars!")
    assert (added.returncode, added.stdout.strip()) == (0, f"added {username} (engineer)"), added.stderr
    async with running(seeded, "console") as suite:
        signed_in = await suite["console"].http.post("/token", json={"username": username, "password": "twelve chars!"})
        assert signed_in.status_code == 200, signed_in.text
        me = await suite["console"].http.get(
            "/me", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        )
        assert (me.json()["engineer_id"], me.json()["name"]) == ("E02", "李娜 Li Na")


def _from(console: RunningService, address: str) -> httpx.AsyncClient:
    """A client of the console's API calling from `address` (throttles count by the client's address)."""
    app = create_app(console.runtime, manage_lifecycle=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://console")


def _address() -> str:
    """An address of this test's own: counts outlive a test by an hour, so addresses drawn from a few
    hundred would meet one another's counts (one in fifty runs did); 10/8 holds sixteen million."""
    return str(ipaddress.IPv4Address(0x0A000000 + uuid.uuid4().int % 0xFFFFFE + 1))


async def test_a_known_and_an_unknown_name_are_answered_alike_and_wait_alike(seeded: World) -> None:
    username = f"q{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console") as suite:
        terms = {"name": "周青 Zhou Qing", "roles": ["quality"], "password": "a long enough secret"}
        assert (await suite["console"].http.put(f"/people/{username}", json=terms)).status_code == 201
        async with _from(suite["console"], _address()) as console:
            answers: dict[str, list[tuple[int, str, str | None]]] = {}
            for name in (username, f"nobody{uuid.uuid4().hex[:6]}"):
                wrong = {"username": name, "password": "a guess at it"}
                answers[name] = []
                for _ in range(6):
                    answer = await console.post("/token", json=wrong)
                    answers[name].append(
                        (answer.status_code, answer.json()["error"], answer.headers.get("retry-after"))
                    )
            known, unknown = answers.values()
            assert known == unknown, "the answers tell which name exists"
            assert known == [(401, "wrong_credentials", None)] * 5 + [(429, "too_many_attempts", "1")]

            right = {"username": username, "password": "a long enough secret"}

            async def signed_in() -> bool:  # the person lifts the wait with their own password once it is over
                answer = await console.post("/token", json=right)
                assert answer.status_code in (200, 429), answer.text
                return answer.status_code == 200

            await eventually(signed_in, timeout=10, what="the right password taken after the short wait")
            again = await console.post("/token", json={"username": username, "password": "a guess at it"})
            assert again.json()["error"] == "wrong_credentials"  # the right password cleared the name's count


async def test_an_address_guessing_at_many_names_waits_ever_longer(seeded: World) -> None:
    async with running(seeded, "console", sign_in_free_failures_per_address=3) as suite:
        address = _address()
        async with _from(suite["console"], address) as console:
            for _ in range(3):
                guess = {"username": f"n{uuid.uuid4().hex[:6]}", "password": "a guess at it"}
                assert (await console.post("/token", json=guess)).status_code == 401
            waiting = await console.post("/token", json={"username": f"n{uuid.uuid4().hex[:6]}", "password": "x"})
            assert (waiting.status_code, waiting.json()["error"]) == (429, "too_many_attempts")
            assert waiting.headers["content-type"].startswith("application/problem+json")
            assert int(waiting.headers["retry-after"]) >= 1
        async with _from(suite["console"], _address()) as elsewhere:  # another address is not held up
            guess = {"username": f"n{uuid.uuid4().hex[:6]}", "password": "a guess at it"}
            assert (await elsewhere.post("/token", json=guess)).status_code == 401
        async with suite["console"].runtime.engine.begin() as connection:  # the wait grew: 1, 2, 4 s ...
            waits = (
                await connection.execute(
                    text("SELECT failures FROM console.sign_in_failures WHERE key = :k"), {"k": f"address:{address}"}
                )
            ).scalar_one()
            assert waits == 3


async def test_guesses_sent_at_once_wait_their_turn(seeded: World) -> None:
    """Twenty wrong passwords for one name sent together are taken one after the other: the wait the fifth
    sets holds the rest, instead of all being checked before any was counted."""
    async with running(seeded, "console") as suite, _from(suite["console"], _address()) as console:
        guess = {"username": f"n{uuid.uuid4().hex[:6]}", "password": "a guess at it"}
        answers = await asyncio.gather(*(console.post("/token", json=guess) for _ in range(20)))
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) == {401, 429}, statuses
        assert statuses.count(401) < 10, statuses  # 5 free, and a wrong one after each wait at most


async def test_counts_an_hour_old_are_deleted_by_later_attempts(seeded: World) -> None:
    """Names tried once (unknown ones above all) and addresses are not kept for ever: each attempt
    deletes a few counts whose last wrong password is an hour old."""
    tried_long_ago = f"name:gone{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console") as suite:
        async with suite["console"].runtime.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO console.sign_in_failures (key, failures, last_failure_at)"
                    " VALUES (:k, 3, now() - interval '25 years')"
                ),
                {"k": tried_long_ago},
            )
        async with _from(suite["console"], _address()) as console:
            guess = {"username": f"n{uuid.uuid4().hex[:6]}", "password": "a guess at it"}
            assert (await console.post("/token", json=guess)).status_code == 401
        async with suite["console"].runtime.engine.begin() as connection:
            keys = set((await connection.execute(text("SELECT key FROM console.sign_in_failures"))).scalars())
        assert tried_long_ago not in keys
        assert f"name:{guess['username']}" in keys  # this hour's count stays


async def test_deleting_forgotten_counts_never_waits_for_an_attempt_nor_takes_its_rows(seeded: World) -> None:
    """An attempt holds its counts locked while the password is checked; the deletion of forgotten counts
    runs beside it, skips what the attempt holds and ends at once, and the attempt then counts its wrong
    password on the row it held."""
    held = f"name:held{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console") as suite:
        engine = suite["console"].runtime.engine
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO console.sign_in_failures (key, failures, last_failure_at)"
                    " VALUES (:k, 7, now() - interval '2 hours')"
                ),
                {"k": held},
            )
        async with engine.connect() as attempt, engine.connect() as cleaner:
            now = (await attempt.execute(text("SELECT clock_timestamp()"))).scalar_one()
            assert await sign_in_failures.reserve(attempt, [held], now) is None  # held, and forgotten: no wait
            await asyncio.wait_for(sign_in_failures.delete_forgotten(cleaner), timeout=5)
            await cleaner.commit()
            await sign_in_failures.count_failure(attempt, FROM_ANYWHERE, held.removeprefix("name:"), now)
            await attempt.commit()
        async with engine.begin() as connection:
            failures = await connection.scalar(
                text("SELECT failures FROM console.sign_in_failures WHERE key = :k"), {"k": held}
            )
        assert failures == 1  # the hour-old seven forgotten, this one counted
