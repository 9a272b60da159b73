"""Errors as HTTP answers, in the shape of RFC 9457 (`application/problem+json`), and the shield every
service's HTTP face sits behind.

A body carries the standard members `type`, `title`, `status` and `detail`, and as extensions the
reason a program can act on (`error`, also the last part of `type`), the same text as `detail` under
`message`, and whatever else the refusal names (`errors`: the fields of an invalid request).

The shield answers, before any route runs or after one failed:
- 413 when a body grows past its limit, counted on the bytes read (a chunked body has no length);
- 422 for a NUL character in the URL, and for a value PostgreSQL refuses (which no retry changes);
- 503 with `Retry-After` when the database cannot be reached;
- 500 as a problem like any other for a fault of ours, logged under an id the body gives, so that
  the connection stays usable (an exception escaping to the server closes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logs import get_logger
from shared.persistence.errors import causes, database_reason, is_data_error, is_unavailable
from shared.refusals import Refused

log = get_logger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:aftercare:problem:"
MAX_BODY_BYTES = 64 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024
FILE_MEDIA_TYPES = (
    "text/csv",
    "application/toml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
)
"""Bodies of these types are files people upload (an equipment register, a photo, a site file): allowed up
to MAX_FILE_BYTES."""
RETRY_AFTER_SECONDS = 5
_STANDARD = ("type", "title", "status", "detail")


def problem_body(status: int, error: str, message: str, **extensions: Any) -> dict[str, Any]:
    standard = {"type": TYPE_PREFIX + error, "title": HTTPStatus(status).phrase, "status": status, "detail": message}
    named = {key: value for key, value in extensions.items() if key not in _STANDARD}
    return {**standard, "error": error, "message": message, **named}


def problem_response(
    status: int, error: str, message: str, *, headers: Mapping[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    body = problem_body(status, error, message, **extensions)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


class ProblemBody(BaseModel):
    """Every refusal's body (RFC 9457): a reason a program can act on and a message a person can."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description=f"`{TYPE_PREFIX}` and the reason, e.g. `{TYPE_PREFIX}invalid_request`.")
    title: str = Field(description="The HTTP status's phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What is missing or wrong, and what to do.")
    error: str = Field(description="Machine-readable reason, e.g. unauthenticated, forbidden, other_site.")
    message: str = Field(description="The same text as `detail`.")


def documented(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is a problem."""
    return {"model": ProblemBody, "description": description, "content": {MEDIA_TYPE: {}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: documented("No bearer token, or one that is forged, expired or not ours."),
    403: documented("The token's roles or site do not allow this request."),
    404: documented("What the path or the request names does not exist (`error` says which)."),
    409: documented("The state of what it names does not allow it now, or the same key came with other content."),
    413: documented("The body is larger than allowed (64 KiB; 16 MiB for a file)."),
    422: documented("The request is malformed or breaks a rule; `errors` names the fields."),
    500: documented("A fault of ours, logged under the `error_id` the body gives."),
    503: documented("The database or the broker cannot be reached; try again after `Retry-After` seconds."),
}


class BodyTooLarge(HTTPException):
    """Raised while a body is read, once its bytes pass the limit (an HTTPException, so that FastAPI's
    body parsing lets it through)."""

    def __init__(self, limit: int, is_file: bool) -> None:
        super().__init__(413, f"{'files' if is_file else 'request bodies'} are limited to {limit} bytes")
        self.limit = limit

    @staticmethod
    def within(error: BaseException) -> BodyTooLarge | None:
        """The refusal behind `error`, however Starlette or FastAPI wrapped it (an exception group, a 400)."""
        return next((cause for cause in causes(error) if isinstance(cause, BodyTooLarge)), None)


def undecodable_body(error: BaseException) -> JSONResponse | None:
    """FastAPI answers a JSON body that is not UTF-8 with a 400, where a JSON syntax error gets a 422:
    both are the malformed request the documented 422 stands for, so both are answered so."""
    undecodable = next((cause for cause in causes(error) if isinstance(cause, UnicodeDecodeError)), None)
    if undecodable is None:
        return None
    problem = f"not JSON in UTF-8 ({undecodable.reason} at byte {undecodable.start})"
    return problem_response(422, "invalid_request", f"body: {problem}", errors=[{"field": "", "problem": problem}])


class RequestShield:
    """Pure ASGI middleware, outermost of the app's own: see the module's description."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"] or b"\x00" in scope["query_string"]:
            await _answer(scope, send, 422, "invalid_request", "the URL must not contain a NUL character (%00)")
            return
        headers = dict(scope["headers"])
        is_file = headers.get(b"content-type", b"").split(b";")[0].strip().decode("latin-1") in FILE_MEDIA_TYPES
        limit = MAX_FILE_BYTES if is_file else MAX_BODY_BYTES
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _answer(scope, send, 413, "body_too_large", str(BodyTooLarge(limit, is_file).detail))
            return
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLarge(limit, is_file)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception as error:
            if started:
                raise
            # Starlette's "http" middleware may hand it over wrapped in an exception group.
            too_large = BodyTooLarge.within(error)
            if too_large is not None:
                await _answer(scope, send, 413, "body_too_large", str(too_large.detail))
            else:
                await _answer_failure(scope, send, error)


def beyond_bounds(error: BaseException) -> ValidationError | None:
    """The refusal behind `error` when a value of the request passed the route's own checks but is
    longer than a message contract carries (`shared/contracts/bounds.py`): the caller's to shorten."""
    return next(
        (
            cause
            for cause in causes(error)
            if isinstance(cause, ValidationError)
            and cause.error_count() > 0
            and all(e["type"] in _TOO_LONG for e in cause.errors())
        ),
        None,
    )


_TOO_LONG = frozenset({"string_too_long", "too_long"})


async def _answer_failure(scope: Scope, send: Send, error: Exception) -> None:
    where = f"{scope['method']} {scope['path']}"
    too_long = beyond_bounds(error)
    if too_long is not None:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in too_long.errors()]
        log.warning("request beyond the contracts' bounds", route=where, errors=errors)
        message = "; ".join(f"{e['field']}: {e['problem']}" for e in errors)
        await _answer(scope, send, 422, "value_too_long", message, errors=errors)
    elif is_data_error(error):
        log.warning("request refused by the database", route=where, error=database_reason(error))
        await _answer(
            scope, send, 422, "invalid_value", f"a value of the request cannot be stored: {database_reason(error)}"
        )
    elif is_unavailable(error):
        log.warning("database unreachable", route=where, error=database_reason(error))
        message = f"the database cannot be reached; try again in {RETRY_AFTER_SECONDS} s"
        await _answer(
            scope, send, 503, "database_unavailable", message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    else:
        error_id = uuid.uuid4().hex[:12]
        log.exception("request failed", route=where, error_id=error_id)
        message = f"an unexpected error on our side, logged as {error_id}; tell the operators if it persists"
        await _answer(scope, send, 500, "internal_error", message, error_id=error_id)


async def _answer(
    scope: Scope,
    send: Send,
    status: int,
    error: str,
    message: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> None:
    await problem_response(status, error, message, headers=headers, **extensions)(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


class Problem(Exception):
    """A request the service understood but will not carry out."""

    def __init__(
        self, status: int, error: str, message: str, *, headers: Mapping[str, str] | None = None, **detail: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers
        self.detail = detail

    @classmethod
    def of(cls, refused: Refused, statuses: Mapping[str, int], default: int = 422) -> Problem:
        """A rule's refusal as an HTTP answer: the status its reason maps to (`default` for the rest:
        the request must change)."""
        return cls(statuses.get(refused.reason, default), refused.reason, refused.message, **refused.detail)
