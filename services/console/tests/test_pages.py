"""The console's doors, over the real database: pages send a stranger to sign in (an htmx request by
its header), signing in needs the form's own guard and the right password, the session cookie is
HttpOnly, SameSite and Secure, a change without the session's CSRF token is refused, a page of another
role is refused, a closed account's session ends at once, links after sign-in stay on the console, and
the language is Chinese until English is chosen."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

import services
from services.console import people
from services.console.domain.people import Person
from shared.http import create_app
from shared.identity import Role
from shared.runtime import ServiceRuntime
from testkit.world import World

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def console(world: World) -> AsyncIterator[httpx.AsyncClient]:
    runtime = ServiceRuntime(services.definition("console"), world.settings("console"))
    transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
    # https: the session cookie is Secure, and a client keeps it for secure origins only.
    async with httpx.AsyncClient(transport=transport, base_url="https://console") as client:
        yield client
    await runtime.engine.dispose()


async def _person(world: World, *roles: Role) -> Person:
    runtime = ServiceRuntime(services.definition("console"), world.settings("console"))
    person = Person(f"p{uuid.uuid4().hex[:8]}", "测试 Tester", frozenset(roles))
    try:
        async with runtime.database.unit_of_work() as uow:
            await people.keep(uow, person, PASSWORD)
    finally:
        await runtime.engine.dispose()
    return person


async def _sign_in(console: httpx.AsyncClient, username: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    form = await console.get("/sign-in")
    guard = re.search(r'name="guard" value="([^"]+)"', form.text)
    assert guard is not None
    assert 'class="problem"' not in form.text  # nothing was refused yet
    return await console.post("/sign-in", data={"username": username, "password": password, "guard": guard[1], **extra})


def _csrf(page: httpx.Response) -> str:
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert token is not None, page.text[:500]
    return token[1]


async def test_a_stranger_is_sent_to_sign_in(console: httpx.AsyncClient) -> None:
    for path in ("/", "/board", "/calls/new", "/site", "/admin", "/reports", "/live", "/registers/X-2026-REG-000001"):
        answer = await console.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, f"/sign-in?next={path}"), path
    htmx = await console.get("/board/tickets", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.headers["HX-Redirect"]) == (204, "/sign-in?next=/board/tickets")
    forged = await console.post("/calls", data={"site_code": "HH138"})
    assert forged.status_code == 303  # no session: nothing is done, and the browser is sent to sign in


async def test_signing_in_opens_a_session_its_cookie_and_csrf_guard(world: World, console: httpx.AsyncClient) -> None:
    operator = await _person(world, Role.OPERATOR)
    form = await console.get("/sign-in")
    assert "登录" in form.text
    assert 'lang="zh-CN"' in form.text
    without_guard = await console.post(
        "/sign-in", data={"username": operator.username, "password": PASSWORD, "guard": "x"}
    )
    assert without_guard.status_code == 403
    planted = "planted-by-a-neighbouring-site"  # a cookie and the same value in the form: a plain double submit
    console.cookies.set("aftercare_sign_in", planted)
    double_submitted = await console.post(
        "/sign-in", data={"username": operator.username, "password": PASSWORD, "guard": planted}
    )
    assert double_submitted.status_code == 403  # the form's value must be the cookie signed by the console
    console.cookies.delete("aftercare_sign_in")

    wrong = await _sign_in(console, operator.username, "not the password")
    assert wrong.status_code == 401
    assert "用户名或密码错误" in wrong.text
    signed_in = await _sign_in(console, operator.username, next="//elsewhere.example/steal")
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/")
    cookie = next(
        v for k, v in signed_in.headers.multi_items() if k == "set-cookie" and v.startswith("aftercare_session=")
    )
    assert {"HttpOnly", "Secure", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}

    landing = await console.get("/")
    assert (landing.status_code, landing.headers["location"]) == (303, "/calls/new")
    admin_page = await console.get("/admin")
    assert admin_page.status_code == 403
    assert "此页面属于其他角色" in admin_page.text

    no_token = await console.post("/sign-out")
    assert no_token.status_code == 403
    other_token = await console.post("/sign-out", data={"csrf_token": "forged"})
    assert other_token.status_code == 403
    assert (await console.get("/", follow_redirects=False)).headers["location"] == "/calls/new"  # still signed in

    signed_out = await console.post("/sign-out", headers={"X-CSRF-Token": _csrf(admin_page)})
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/sign-in")
    assert (await console.get("/")).headers["location"] == "/sign-in?next=/"


async def test_a_closed_account_is_signed_out_at_once(world: World, console: httpx.AsyncClient) -> None:
    manager = await _person(world, Role.MANAGER)
    assert (await _sign_in(console, manager.username)).status_code == 303
    assert (await console.get("/")).headers["location"] == "/board"
    runtime = ServiceRuntime(services.definition("console"), world.settings("console"))
    try:
        async with runtime.database.unit_of_work() as uow:
            await people.keep(uow, Person(manager.username, manager.name, manager.roles, active=False), PASSWORD)
    finally:
        await runtime.engine.dispose()
    assert (await console.get("/")).headers["location"] == "/sign-in?next=/"


async def test_english_on_request(world: World, console: httpx.AsyncClient) -> None:
    chosen = await console.get("/language/en", params={"back": "/sign-in"})
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/sign-in")
    page = await console.get("/sign-in")
    assert "Sign in" in page.text
    assert 'lang="en"' in page.text
    assert "中文" in page.text
    assert (await console.get("/language/xx", params={"back": "https://elsewhere.example"})).headers["location"] == "/"
