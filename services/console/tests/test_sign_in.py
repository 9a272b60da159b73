"""Signing in over the real database: an administrator keeps a person, the person signs in with their
password for a token every service accepts, a wrong password or an unknown name gets the same 401, and
the token names who signed in."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from sqlalchemy import text

from shared.identity import Role
from testkit.identities import bearer
from testkit.in_process import running
from testkit.world import World


async def test_a_person_signs_in_and_every_service_knows_them(seeded: World) -> None:
    username = f"op{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console", "intake") as suite:
        console = suite["console"].http
        terms = {"name": "赵敏 Zhao Min", "roles": ["operator"], "password": "a long enough secret"}
        created = await console.put(f"/people/{username}", json=terms)
        assert (created.status_code, created.json()["roles"]) == (201, ["operator"]), created.text
        assert "password" not in created.text
        weak = await console.put(f"/people/{username}", json={**terms, "password": "short"})
        assert (weak.status_code, weak.json()["error"]) == (422, "weak_password")
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


async def test_five_wrong_passwords_make_the_account_wait(seeded: World) -> None:
    username = f"q{uuid.uuid4().hex[:6]}"
    async with running(seeded, "console") as suite:
        console = suite["console"].http
        terms = {"name": "周青 Zhou Qing", "roles": ["quality"], "password": "a long enough secret"}
        assert (await console.put(f"/people/{username}", json=terms)).status_code == 201
        right = {"username": username, "password": "a long enough secret"}
        wrong = {"username": username, "password": "a guess"}
        for _ in range(4):
            assert (await console.post("/token", json=wrong)).json()["error"] == "wrong_credentials"
        assert (await console.post("/token", json=right)).status_code == 200  # four, then right: counted afresh
        for _ in range(5):
            await console.post("/token", json=wrong)
        locked = await console.post("/token", json=right)
        assert (locked.status_code, locked.json()["error"]) == (401, "locked")
        assert "too many wrong passwords" in locked.json()["message"]

        async with suite["console"].runtime.engine.begin() as connection:  # a quarter of an hour on
            await connection.execute(
                text("UPDATE console.people SET locked_until = now() - interval '1 minute' WHERE username = :u"),
                {"u": username},
            )
        assert (await console.post("/token", json=right)).status_code == 200
        assert (await console.post("/token", json=wrong)).json()["error"] == "wrong_credentials"  # counting anew
