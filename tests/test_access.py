"""Every route of every service behind its door: each has an access rule; without a token it answers
401, with a forged or expired one 401, with a role its rule does not name 403, and for a customer's
representative of another site 403, each with a message that says what is missing. Health, readiness
and metrics stay open. Then, over the real database: an engineer moves only the tickets assigned to
them, and each party signs a register only as itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

import services
from shared.access import SiteIn
from shared.http import create_app
from shared.identity import Identity, Role, TokenIssuer, generate_key_pair
from shared.operations import access_table, operations
from shared.runtime import ServiceRuntime
from shared.site_loading import site_loading
from testkit.identities import PRIVATE_KEY, bearer
from testkit.in_process import running
from testkit.waiting import eventually
from testkit.world import World

SAMPLE = {
    "site_code": "HH138",
    "ticket_id": "HH138-20261125-0001",
    "code": "HH138-2026-REG-000001",
    "asset_tag": "HH138-BGM-AMP-01",
    "action": "accept",
    "case_id": "1",
    "period_id": "1",
    "subscription_id": "00000000-0000-4000-8000-000000000001",
    "delivery_id": "00000000-0000-4000-8000-000000000002",
}
STAFF_ROLES = (Role.OPERATOR, Role.MANAGER, Role.ENGINEER, Role.QUALITY, Role.CUSTOMER)


def _routes() -> list[tuple[str, str, str]]:
    found = []
    for name in services.NAMES:
        definition = services.definition(name)
        paths = _app_paths(name)
        found += [(name, method, path) for method, path in paths]
        assert set(paths) == set(access_table(definition.access)), f"{name}: routes and access rules differ"
    return found


def _app_paths(name: str) -> list[tuple[str, str]]:
    app = FastAPI()
    app.include_router(services.definition(name).router)
    app.include_router(operations)  # what every service has: its dead letters waiting
    app.include_router(site_loading)  # and the loading of a site file
    return [(method.upper(), path) for path, methods in app.openapi()["paths"].items() for method in methods]


@pytest.fixture(scope="module")
async def clients(world: World) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    opened = {}
    for name in services.NAMES:
        runtime = ServiceRuntime(services.definition(name), world.settings(name))
        transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
        opened[name] = (runtime, httpx.AsyncClient(transport=transport, base_url=f"http://{name}"))
    try:
        yield {name: client for name, (_, client) in opened.items()}
    finally:
        for runtime, client in opened.values():
            await client.aclose()
            await runtime.engine.dispose()


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m[1], "X1"), path)


def test_every_route_has_exactly_one_rule() -> None:
    assert len(_routes()) >= 80


@pytest.mark.parametrize(("service", "method", "path"), _routes())
async def test_every_route_refuses_the_wrong_caller(
    clients: dict[str, httpx.AsyncClient], service: str, method: str, path: str
) -> None:
    client = clients[service]
    rule = access_table(services.definition(service).access)[method, path]
    if rule.public:  # signing in
        assert (await client.request(method, _url(path))).status_code != 401
        return

    anonymous = await client.request(method, _url(path))
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "unauthenticated")
    assert "bearer token" in anonymous.json()["message"]
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="aftercare", error="unauthenticated"'

    other_key = TokenIssuer(
        generate_key_pair()[0], issuer="aftercare", audience="aftercare", lifetime=timedelta(hours=1)
    )
    forged = other_key.issue(Identity("mallory", "mallory", frozenset({Role.ADMIN})))
    refused = await client.request(method, _url(path), headers={"Authorization": f"Bearer {forged}"})
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_token")

    ours = TokenIssuer(PRIVATE_KEY, issuer="aftercare", audience="aftercare", lifetime=timedelta(hours=1))
    expired = ours.issue(
        Identity("admin", "admin", frozenset({Role.ADMIN})), now=datetime.now(UTC) - timedelta(hours=2)
    )
    late = await client.request(method, _url(path), headers={"Authorization": f"Bearer {expired}"})
    assert (late.status_code, late.json()["message"]) == (401, "the token has expired; sign in again")

    outsider = next((role for role in STAFF_ROLES if role not in rule.roles), None)
    if outsider is not None:
        headers = bearer("outsider", outsider, site_code="HH138" if outsider is Role.CUSTOMER else None)
        wrong_role = await client.request(method, _url(path), headers=headers)
        assert (wrong_role.status_code, wrong_role.json()["error"]) == (403, "forbidden"), wrong_role.text
        assert f"you have {outsider.value}" in wrong_role.json()["message"]

    if Role.CUSTOMER in rule.roles and rule.site is not SiteIn.NOWHERE:
        elsewhere = bearer("xu.jing", Role.CUSTOMER, site_code="ZZ999")
        params = {"site_code": "HH138"} if rule.site is SiteIn.QUERY else None
        other_site = await client.request(method, _url(path), headers=elsewhere, params=params)
        assert (other_site.status_code, other_site.json()["error"]) == (403, "other_site"), other_site.text
        assert "you represent site ZZ999, not HH138" in other_site.json()["message"]


async def test_health_readiness_and_metrics_stay_open(clients: dict[str, httpx.AsyncClient]) -> None:
    for client in clients.values():
        assert (await client.get("/healthz")).status_code == 200
        metrics = await client.get("/metrics", headers={"Host": "attacker.example"})
        assert (metrics.status_code, metrics.headers["content-type"].split(";")[0]) == (200, "text/plain")
        assert "location" not in metrics.headers  # answered, not redirected to a Host the caller chose
        assert (await client.get("/readyz")).status_code in (200, 503)  # not started here: not ready, not closed


async def test_a_customer_lists_documents_of_its_own_site_only(clients: dict[str, httpx.AsyncClient]) -> None:
    customer = bearer("xu.jing", Role.CUSTOMER, site_code="HH138")
    unscoped = await clients["archive"].get("/documents", headers=customer)
    assert (unscoped.status_code, unscoped.json()["message"]) == (
        403,
        "a customer lists its own site only: add site_code=HH138",
    )
    assert (
        await clients["archive"].get("/documents", headers=customer, params={"site_code": "HH138"})
    ).status_code == 200


async def test_an_engineer_moves_only_the_tickets_assigned_to_them(seeded: World) -> None:
    async with running(seeded, "intake", "dispatch") as suite:
        opened = await suite["intake"].http.post(
            "/requests",
            json={
                "site_code": "HH138",
                "subsystem": "bgm",
                "description": "Paging console dead in the B1 control room",
                "channel": "hotline",
                "reporter": {"name": "Control room"},
            },
            headers=bearer("zhao.min", Role.OPERATOR),
        )
        ticket = opened.json()["ticket_id"]

        async def assigned() -> str | None:
            return (await suite["dispatch"].http.get(f"/tickets/{ticket}")).json().get("engineer_id")

        owner = await eventually(assigned)
        # Another of the site's engineers (the owner of bgm, E01, may be full with earlier tests' tickets).
        other = "E02" if owner != "E02" else "E01"
        someone_else = await suite["dispatch"].http.post(
            f"/tickets/{ticket}/accept", headers=bearer("li.na", Role.ENGINEER, engineer_id=other)
        )
        assert (someone_else.status_code, someone_else.json()["error"]) == (403, "not_your_ticket")
        assert someone_else.json()["message"] == f"{ticket} is assigned to engineer {owner}; you are engineer {other}"
        accepted = await suite["dispatch"].http.post(
            f"/tickets/{ticket}/accept", headers=bearer("wang.lei", Role.ENGINEER, engineer_id=owner)
        )
        assert accepted.status_code == 200, accepted.text
        history = (await suite["dispatch"].http.get(f"/tickets/{ticket}/history")).json()
        assert history[-1]["actor"] == "wang.lei"

        elsewhere = await suite["intake"].http.post(
            "/requests",
            json={
                "site_code": "LOAD1",
                "subsystem": "bgm",
                "description": "x",
                "channel": "hotline",
                "reporter": {"name": "x"},
            },
            headers=bearer("xu.jing", Role.CUSTOMER, site_code="HH138"),
        )
        assert (elsewhere.status_code, elsewhere.json()["error"]) == (403, "other_site")


async def test_each_party_signs_only_as_itself(clients: dict[str, httpx.AsyncClient]) -> None:
    body = {"version": 1, "party": "integrator", "name": "徐静", "role": "工程部经理"}
    customer = bearer("xu.jing", Role.CUSTOMER, site_code="HH138")
    refused = await clients["archive"].post("/registers/HH138-2026-REG-000001/signatures", json=body, headers=customer)
    assert (refused.status_code, refused.json()["error"]) == (403, "not_this_party")
    assert refused.json()["message"] == "the integrator signs as a manager; you are customer"


async def test_the_api_description_names_the_bearer_scheme_and_the_refusals(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    schema = (await clients["intake"].get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    submit = schema["paths"]["/requests"]["post"]
    assert submit["security"] == [{"HTTPBearer": []}]
    assert {"401", "403"} <= set(submit["responses"])
    assert "security" not in schema["paths"]["/healthz"]["get"]


async def test_every_answer_carries_the_security_headers_and_docs_are_off_outside_development(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    for name, client in clients.items():
        for path in ("/healthz", "/openapi.json", "/no-such-route"):
            answer = await client.get(path)
            assert answer.headers["x-content-type-options"] == "nosniff", (name, path)
            assert answer.headers["x-frame-options"] == "DENY", (name, path)
            assert answer.headers["referrer-policy"] == "same-origin", (name, path)
            policy = answer.headers["content-security-policy"]
            assert "script-src 'self';" in policy, (name, path)
            assert "frame-ancestors 'none'" in policy, (name, path)
        assert (await client.get("/docs")).status_code == 404, name  # AFTERCARE_API_DOCS is off
    sign_in = await clients["console"].get("/sign-in")
    assert sign_in.status_code == 200
    assert "unsafe-eval" not in sign_in.headers["content-security-policy"]
