"""The policy each page is held to: the engineer's phone pages may compile WebAssembly (the barcode
reader), no page may eval JavaScript, and every other page keeps the plain policy."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.security_headers import SecurityHeaders


async def _policy(path: str) -> str:
    app = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("page"))])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(SecurityHeaders(app)), base_url="http://t") as client:
        return (await client.get(path)).headers["content-security-policy"]


async def test_only_the_phone_pages_compile_webassembly_and_none_evals() -> None:
    phone, office = await _policy("/field/tickets/HH138-20261207-0001"), await _policy("/tickets/HH138-20261207-0001")
    assert "script-src 'self' 'wasm-unsafe-eval';" in phone
    assert "script-src 'self';" in office
    assert "wasm" not in office
    assert "'unsafe-eval'" not in phone
    assert "'unsafe-eval'" not in office
    assert phone.replace(" 'wasm-unsafe-eval'", "") == office  # otherwise the same policy
