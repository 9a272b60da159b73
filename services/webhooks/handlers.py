"""The webhooks service's HTTP API: subscriptions (an administrator's for any site, a representative's
for their own), their deliveries, and sending one again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import httpcore
from fastapi import APIRouter, Query, Request, Response
from pydantic import AnyHttpUrl, BaseModel, Field

from services.webhooks import subscribed_sites
from services.webhooks.db import repository
from services.webhooks.domain import signing
from services.webhooks.settings import WebhooksSettings
from shared.http import Caller, Database, Problem
from shared.identity import Identity

router = APIRouter(tags=["webhooks"])


class SubscriptionTerms(BaseModel):
    site_code: str = Field(min_length=1, max_length=20)
    url: AnyHttpUrl = Field(description="Where to POST each event (https in production).")
    event_types: list[str] = Field(
        default_factory=list, max_length=100, description="e.g. ticket.opened or ticket.*; none: every event."
    )


def _theirs(caller: Identity, site_code: str) -> None:
    if not caller.sees(site_code):
        raise Problem(403, "other_site", f"you represent site {caller.site_code}, not {site_code}")


async def _subscription_of(database: Database, caller: Identity, subscription_id: uuid.UUID) -> Any:
    async with database.connect() as connection:
        found = await repository.subscription(connection, subscription_id)
    if found is None:
        raise Problem(404, "unknown_subscription", f"no subscription {subscription_id}")
    _theirs(caller, found.site_code)
    return found


async def _reachable(request: Request, url: AnyHttpUrl) -> None:
    """Refuse a receiver inside the deployment's network (checked again at every delivery: a name may
    point elsewhere later), or one whose name does not resolve: one answer for both, so that a customer
    cannot learn which internal names exist."""
    settings = cast(WebhooksSettings, request.app.state.runtime.settings)
    assert url.host is not None  # an http(s) URL always has one
    try:
        await settings.egress.resolve(url.host, url.port or 443)
    except httpcore.ConnectError:  # Refused included
        raise Problem(
            422, "receiver_not_public", f"{url.host} does not resolve to a public address: a receiver must be public"
        ) from None


@router.post("/subscriptions", status_code=201)
async def subscribe(terms: SubscriptionTerms, database: Database, caller: Caller, request: Request) -> dict[str, Any]:
    """Subscribe a receiver to a site's events. The answer holds the secret the deliveries are signed
    with, once: keep it with the receiver (docs/webhooks.md shows how to check a signature). A receiver
    must be public: loopback, private, link-local and metadata addresses are refused (unless the
    deployment allows a network, `WEBHOOKS_ALLOWED_NETWORKS`), here and at every delivery."""
    _theirs(caller, terms.site_code)
    await _reachable(request, terms.url)
    secret = signing.new_secret()
    async with database.connect() as connection:
        subscription_id = await repository.add_subscription(
            connection,
            site_code=terms.site_code,
            event_types=terms.event_types,
            url=str(terms.url),
            secret=secret,
            owner=caller.subject,
        )
        await connection.commit()
    subscribed_sites.changed_here(database)  # so that this process's next event of the site sees it
    return {"id": str(subscription_id), "site_code": terms.site_code, "url": str(terms.url), "secret": secret}


@router.get("/subscriptions")
async def list_subscriptions(database: Database, site_code: str | None = None) -> list[dict[str, Any]]:
    """Subscriptions (never their secrets), with whether each is paused and why."""
    async with database.connect() as connection:
        return await repository.subscriptions_of(connection, site_code)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: uuid.UUID, database: Database, caller: Caller) -> Response:
    await _subscription_of(database, caller, subscription_id)
    async with database.connect() as connection:
        await repository.set_state(connection, subscription_id, active=False)
        await connection.commit()
    subscribed_sites.changed_here(database)
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/resume")
async def resume(subscription_id: uuid.UUID, database: Database, caller: Caller) -> dict[str, Any]:
    """Take events again after a pause (what came meanwhile is not delivered; replay it if needed)."""
    await _subscription_of(database, caller, subscription_id)
    async with database.connect() as connection:
        await repository.set_state(connection, subscription_id, paused_at=None, paused_why=None)
        await connection.commit()
    subscribed_sites.changed_here(database)
    return {"id": str(subscription_id), "paused": False}


@router.get("/subscriptions/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: uuid.UUID, database: Database, caller: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[dict[str, Any]]:
    """The subscription's deliveries, newest first: delivered, pending (with the next attempt) or given up."""
    await _subscription_of(database, caller, subscription_id)
    async with database.connect() as connection:
        return [
            {key: value for key, value in row.items() if key != "body"}
            for row in await repository.deliveries_of(connection, subscription_id, limit)
        ]


@router.post("/deliveries/{delivery_id}/replay")
async def replay(delivery_id: uuid.UUID, database: Database, caller: Caller) -> dict[str, Any]:
    """Deliver the event again, now (a receiver that lost it, or one resumed after a pause)."""
    async with database.connect() as connection:
        found = await repository.delivery(connection, delivery_id)
    if found is None:
        raise Problem(404, "unknown_delivery", f"no delivery {delivery_id}")
    await _subscription_of(database, caller, found.subscription_id)
    now = datetime.now(UTC)
    async with database.connect() as connection:
        # Tried for a day again from now, its tries counted afresh: a replayed delivery older than a day
        # was otherwise given up on (and its subscription paused) at its first failure.
        await repository.set_delivery(
            connection, delivery_id, status="pending", next_attempt_at=now, delivered_at=None, created_at=now,
            attempts=0,
        )  # fmt: skip
        await connection.commit()
    return {"id": str(delivery_id), "status": "pending"}
