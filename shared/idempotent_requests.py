"""The HTTP side of idempotency keys (shared/persistence/idempotency.py): a change that carries an
`Idempotency-Key` header is claimed once the caller is known, its answer is kept when it is sent, and
the same request again gets that answer, marked `Idempotent-Replayed: true`."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import Request, Response

from shared.identity import Identity
from shared.persistence.idempotency import KeptAnswer, KeyInProgress, KeyReused
from shared.runtime import ServiceRuntime

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Replay(Exception):
    """The request was handled before: answer as then."""

    def __init__(self, answer: KeptAnswer) -> None:
        super().__init__("replayed")
        self.answer = answer


class KeyRefused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


async def claim(request: Request, identity: Identity | None) -> None:
    """Claim the request's key for its caller (Replay if it was handled already)."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in CHANGES:
        return
    if not KEY.fullmatch(key):
        raise KeyRefused(422, "bad_idempotency_key", f"{HEADER}: 8 to 200 letters, digits, '.', '_', ':' or '-'")
    runtime: ServiceRuntime = request.app.state.runtime
    subject = identity.subject if identity is not None else "anonymous"
    said = hashlib.sha256(request.url.query.encode() + b"\n" + await request.body()).hexdigest()
    try:
        kept = await runtime.database.idempotency.claim(subject, key, request.method, request.url.path, said)
    except KeyInProgress as busy:
        raise KeyRefused(409, "request_in_progress", "the first request with this key is still in hand") from busy
    except KeyReused as reused:
        raise KeyRefused(422, "idempotency_key_reused", str(reused)) from reused
    if kept is not None:
        raise Replay(kept)
    request.state.idempotency_claim = (subject, key)


def replayed(answer: KeptAnswer) -> Response:
    return Response(
        answer.body, status_code=answer.status, media_type=answer.media_type, headers={REPLAYED_HEADER: "true"}
    )


async def kept(request: Request, response: Response) -> Response:
    """Keep the answer to a claimed request (a failure on our side releases the key instead)."""
    claimed: tuple[str, str] | None = getattr(request.state, "idempotency_claim", None)
    if claimed is None:
        return response
    if response.status_code >= 500:
        await released(request)
        return response
    store = request.app.state.runtime.database.idempotency
    body = b"".join([chunk async for chunk in _body(response)])
    await store.keep(*claimed, KeptAnswer(response.status_code, response.media_type or _type(response), body))
    return Response(body, status_code=response.status_code, headers=dict(response.headers))


async def released(request: Request) -> None:
    """Forget the claim of a request that failed on our side, so that sending it again runs it."""
    claimed: tuple[str, str] | None = getattr(request.state, "idempotency_claim", None)
    if claimed is not None:
        await request.app.state.runtime.database.idempotency.release(*claimed)


async def _body(response: Response) -> Any:
    """The body of an answer as the middleware gets it: streamed (Starlette wraps every answer so)."""
    chunks = getattr(response, "body_iterator", None)
    if chunks is None:
        yield bytes(response.body)
        return
    async for chunk in chunks:
        yield chunk if isinstance(chunk, bytes) else str(chunk).encode()


def _type(response: Response) -> str | None:
    return response.headers.get("content-type")
