"""The headers every answer of every service carries, so that a browser holds the console's pages to
what they are: no script but the service's own files (no inline script, no eval), no framing by another
site (clickjacking), no sniffing a JSON answer or a PDF as something else, no full URL leaked in a
Referer. Styles may be inline (the pages set widths with style attributes; a style cannot run code).
The engineer's phone pages (`/field/`) may also compile WebAssembly (`'wasm-unsafe-eval'`: the barcode
reader that reads a serial number from the camera); JavaScript's eval stays refused there too.

`/docs`, on only in development (AFTERCARE_API_DOCS), loads Swagger UI from its public CDN with an
inline start-up script: it gets a policy that allows exactly that."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PHONE_POLICY = PAGES_POLICY.replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';", 1)
PHONE_PATHS = "/field/"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        policy = DOCS_POLICY if path in DOCS_PATHS else PHONE_POLICY if path.startswith(PHONE_PATHS) else PAGES_POLICY
        added = [*COMMON, (b"content-security-policy", policy.encode())]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in added if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
