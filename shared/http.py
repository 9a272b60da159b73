"""The HTTP face of every service: its API routes plus health, readiness and metrics.

Errors are answered as problems (RFC 9457, see shared/problems.py): `{"type", "title", "status",
"detail", "error": "<code>", "message": "<what to change>", ...}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import idempotent_requests
from shared.access import AccessDenied, check, rule_for
from shared.access_ends import Revocations
from shared.identity import Identity, IssuerUnreachable, TokenRefused, TokenVerifier
from shared.operations import access_table, operations
from shared.persistence.service_database import ServiceDatabase
from shared.problems import PROBLEM_RESPONSES, BodyTooLarge, RequestShield, problem_response, undecodable_body
from shared.problems import Problem as Problem  # raised by every service's routes
from shared.runtime import ServiceRuntime
from shared.security_headers import SecurityHeaders
from shared.settings import ServiceSettings
from shared.site_loading import site_loading


def create_app(runtime: ServiceRuntime, *, manage_lifecycle: bool = True) -> FastAPI:
    definition = runtime.definition

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle:
            await runtime.start()
        try:
            yield
        finally:
            if manage_lifecycle:
                await runtime.stop()

    docs = runtime.settings.api_docs
    app = FastAPI(
        title=f"Aftercare {definition.name}",
        description=definition.summary,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.add_middleware(SecurityHeaders)
    app.state.runtime = runtime
    app.state.verifier = verifier_for(runtime.settings)
    app.state.revocations = Revocations.of(runtime.database, definition.metadata)
    app.state.access = access_table(definition.access)
    # Every route of the service is behind the guard; health, readiness and metrics stay open.
    for routes in (definition.router, operations, site_loading):
        app.include_router(routes, dependencies=[Depends(_idempotent)], responses=PROBLEM_RESPONSES)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus' text format. A route, not a mounted app: a mount answers `/metrics` with a
        redirect built from the request's Host header."""
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

    if definition.pages is not None:
        app.include_router(definition.pages, include_in_schema=False)
    if definition.static_dir is not None:
        app.mount("/static", StaticFiles(directory=definition.static_dir), name="static")

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": definition.name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        answer = {"status": "ready" if ready else "not_ready", "service": definition.name, "checks": checks}
        reports = runtime.reports()
        return JSONResponse(answer | ({"reports": reports} if reports else {}), status_code=200 if ready else 503)

    @app.middleware("http")
    async def keep_idempotent_answers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            response = await call_next(request)
        except BaseException:  # cancelled too: the claim must not outlive its request
            await asyncio.shield(idempotent_requests.released(request))
            raise
        return await idempotent_requests.kept(request, response)

    @app.exception_handler(idempotent_requests.Replay)
    async def replay(_: Request, replay: idempotent_requests.Replay) -> Response:
        return idempotent_requests.replayed(replay.answer)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]} for e in error.errors()
        ]
        message = "; ".join(f"{e['field'] or 'body'}: {e['problem']}" for e in errors)
        return problem_response(422, "invalid_request", message, errors=errors)

    @app.exception_handler(Problem)
    async def refused(_: Request, problem: Problem) -> JSONResponse:
        response = problem_response(
            problem.status, problem.error, problem.message, headers=problem.headers, **problem.detail
        )
        if problem.status == 401:  # RFC 6750: say which scheme and why
            response.headers["WWW-Authenticate"] = f'Bearer realm="aftercare", error="{problem.error}"'
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        """Starlette's own refusals (no such route, method not allowed, a body too large) as problems."""
        # FastAPI reports a body it could not read as a 400 whose cause may be the limit's refusal.
        too_large = BodyTooLarge.within(error)
        if too_large is not None:
            return problem_response(413, "body_too_large", str(too_large.detail))
        undecodable = undecodable_body(error)
        if undecodable is not None:
            return undecodable
        reason = HTTPStatus(error.status_code).name.lower()
        return problem_response(error.status_code, reason, str(error.detail), headers=dict(error.headers or {}))

    app.add_middleware(RequestShield)  # added last: the outermost of the app's own middleware
    return app


def file_named(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The Content-Disposition header for a file, whatever characters its name holds (a site code is
    the caller's text): an ASCII name for old clients and the exact one encoded as RFC 6266 says. A raw
    non-Latin-1 or control character in a header would make the server drop the connection."""
    plain = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"}


def rows_response(rows: list[dict[str, Any]]) -> Response:
    """A long list of rows as JSON, serialised in one pass by pydantic-core: FastAPI's own encoder
    walks every value in Python and took 0.5 s for a site's 3,000-document catalogue. Keys become
    plain strings first, since SQLAlchemy's column names are a subclass pydantic-core inspects slowly
    (rows from `dicts_of` have them already, and are sent as they are)."""
    return Response(
        content=to_json([row if all(type(key) is str for key in row) else _plain_keys(row) for row in rows]),
        media_type="application/json",
    )


def _plain_keys(row: dict[str, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in row.items()}


async def _database(request: Request) -> ServiceDatabase:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime.database


Database = Annotated[ServiceDatabase, Depends(_database)]
"""Route parameter type: the service's own database (connections and units of work)."""


def verifier_for(settings: ServiceSettings) -> TokenVerifier:
    return TokenVerifier(
        public_key=settings.auth_public_key,
        jwks_url=settings.auth_jwks_url,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        roles_claim=settings.auth_roles_claim,
    )


BEARER = HTTPBearer(auto_error=False, description="A token from the console's sign-in or `aftercare token`.")


async def _guard(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Identity | None:
    """The caller, from its bearer token (401 without a valid one), allowed this route by the
    service's access table (403 and why not). Checked on the event loop: a signature takes microseconds,
    and handing each request to a thread cost more than the check; only an OpenID Connect issuer's key
    set, fetched over the network, is read in a thread."""
    try:
        rule = rule_for(request.app.state.access, request)
    except AccessDenied as denied:
        raise Problem(403, denied.reason, denied.message) from denied
    if rule.public:
        request.state.identity = None
        return None
    token = credentials.credentials if credentials is not None else ""
    if not token.strip():
        raise Problem(
            401,
            "unauthenticated",
            "this API needs a bearer token (Authorization: Bearer <token>): sign in to the console, "
            "or make one with `aftercare token`",
        )
    verifier = request.app.state.verifier
    try:
        if verifier.fetches_keys:
            identity = await run_in_threadpool(verifier.verify, token.strip())
        else:
            identity = verifier.verify(token.strip())
    except TokenRefused as refused:
        raise Problem(401, "invalid_token", str(refused)) from refused
    except IssuerUnreachable as unreachable:
        raise Problem(503, "identity_provider_unreachable", str(unreachable)) from unreachable
    revocations: Revocations | None = request.app.state.revocations
    if revocations is not None and await revocations.refuse(identity):
        raise Problem(
            401,
            "token_revoked",
            f"{identity.subject}'s access changed after this token was issued (account closed, roles or password "
            "changed): sign in again",
        )
    try:
        check(rule, request, identity)
    except AccessDenied as denied:
        raise Problem(403, denied.reason, denied.message) from denied
    request.state.identity = identity
    return cast(Identity, identity)


async def _idempotent(request: Request, identity: Annotated[Identity | None, Depends(_guard)]) -> None:
    """Once the caller is known: a change with an Idempotency-Key handled before is answered as then."""
    try:
        await idempotent_requests.claim(request, identity)
    except idempotent_requests.KeyRefused as refused:
        raise Problem(refused.status, refused.error, refused.message) from refused


async def _caller(request: Request) -> Identity:
    return cast(Identity, request.state.identity)


Caller = Annotated[Identity, Depends(_caller)]
"""Route parameter type: who is calling, as the guard verified it."""


async def _actor(request: Request) -> str:
    return (await _caller(request)).actor


Actor = Annotated[str, Depends(_actor)]
"""Route parameter type: who is acting, recorded in every history row: the signed-in person."""


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client is not None else "unknown"
