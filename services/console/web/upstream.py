"""The other services as the pages reach them: over their HTTP APIs, as the signed-in person, with a
token of a few minutes the console signs for each call. A refusal comes back as the service worded
it, for the page to show."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, cast

import httpx
from fastapi import Depends, Request

from services.console.domain.people import Person
from services.console.settings import ConsoleSettings
from services.console.tokens import NoSigningKey, page_call_token
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings


class ServiceRefused(Exception):
    """A service said no, or did not answer: what to show the person."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


class Upstream:
    """One connection pool to the services for the console process; a worker so that it opens and
    closes with the process."""

    def __init__(self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.urls = {
            "intake": settings.intake_url,
            "dispatch": settings.dispatch_url,
            "sla": settings.sla_url,
            "vendor": settings.vendor_url,
            "archive": settings.archive_url,
            "webhooks": settings.webhooks_url,
            "notify": settings.notify_url,
        }
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.settings.upstream_timeout_seconds, transport=self._transport)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    @property
    def running(self) -> bool:
        return self._client is not None

    async def get(self, person: Person, service: str, path: str, **params: Any) -> Any:
        return (await self.send(person, "GET", service, path, params=params)).json()

    async def post(self, person: Person, service: str, path: str, body: dict[str, Any]) -> Any:
        return (await self.send(person, "POST", service, path, json=body)).json()

    async def put(self, person: Person, service: str, path: str, body: dict[str, Any]) -> Any:
        return (await self.send(person, "PUT", service, path, json=body)).json()

    async def send(
        self,
        person: Person,
        method: str,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        if self._client is None:
            raise ServiceRefused(503, "console_stopping", "the console is shutting down; try again in a moment")
        try:
            token = page_call_token(self.settings, person.identity())
        except NoSigningKey as missing:
            raise ServiceRefused(503, "no_signing_key", str(missing)) from missing
        query = {key: value for key, value in (params or {}).items() if value is not None}
        try:
            response = await self._client.request(
                method,
                f"{self.urls[service]}{path}",
                params=query,
                json=json,
                content=content,
                headers={**(headers or {}), "Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as error:
            raise ServiceRefused(503, "service_unreachable", f"{service} is not answering ({error!r})") from error
        if response.status_code >= 400:
            raise _refusal(service, response)
        return response


def _refusal(service: str, response: httpx.Response) -> ServiceRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ServiceRefused(
        response.status_code,
        str(body.get("error") or f"http_{response.status_code}"),
        str(body.get("message") or f"{service} answered {response.status_code}"),
    )


async def optional(call: Awaitable[Any]) -> Any:
    """What a page can do without: a refusal (no clocks yet, a service down) shows as an empty list."""
    try:
        return await call
    except ServiceRefused:
        return []


def upstream_for(database: ServiceDatabase, settings: ServiceSettings) -> Upstream:
    return Upstream(cast(ConsoleSettings, settings))


def upstream(request: Request) -> Upstream:
    return cast(Upstream, request.app.state.runtime.worker(Upstream))


Services = Annotated[Upstream, Depends(upstream)]
"""Page parameter type: the services, reached as the signed-in person."""
