"""The RabbitMQ users `aftercare up` runs the services as: each service a user of its own, made for the
run through the management API with a fresh password and only its own queues and events, as
`aftercare provision` makes them for a deployment. The suite's AMQP URL's user (RabbitMQ's
administrator `guest` on a developer's machine) then serves only the operator's tools, and what runs
under `make up` is refused what it would be refused in production.

A service whose `<SERVICE>_AMQP_URL` the environment already names keeps it: whoever named it made the
user. In a virtual host other than `/` each user's name starts with the virtual host's, so that suites
brought up side by side (the tests' worlds) never change one another's passwords."""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx

import services


def service_amqp_variable(name: str) -> str:
    return f"{name.upper()}_AMQP_URL"


def broker_user(service: str, vhost: str) -> str:
    return service if vhost == "/" else f"{vhost}.{service}"


def users_connected(admin_api_url: str, users: list[str]) -> list[str]:
    """Which of these users have connections open now (another suite brought up as them)."""
    api = httpx.URL(admin_api_url)
    with httpx.Client(
        base_url=api.copy_with(username=None, password=None), auth=(api.username, api.password or ""), timeout=10
    ) as admin:
        return [user for user in users if admin.get(f"/api/connections/username/{quote(user, safe='')}").json()]


def own_amqp_urls(suite_url: str) -> dict[str, str]:
    """Each service not named in the environment, with an AMQP URL of its own: the suite's nodes and
    virtual host, its own user and a new password."""
    parts = urlsplit(suite_url)
    vhost = unquote(parts.path[1:]) or "/"
    nodes = parts.netloc.rpartition("@")[2]
    urls: dict[str, str] = {}
    for name in services.NAMES:
        if os.environ.get(service_amqp_variable(name)):
            continue
        user = quote(broker_user(name, vhost), safe="")
        netloc = f"{user}:{secrets.token_urlsafe(24)}@{nodes}"
        urls[name] = urlunsplit(parts._replace(netloc=netloc))
    return urls
