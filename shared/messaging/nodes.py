"""A RabbitMQ cluster as the services see it: one AMQP URL naming every node, tried in turn.

    amqp://dispatch:secret@rabbit-0:5672,rabbit-1:5672,rabbit-2:5672/aftercare

Neither aio-pika nor FastStream takes several addresses: each connects to one URL, and their robust
connections reconnect to that same one. Here every connection, short or long-lived, starts at a node
chosen at random (the processes spread over the cluster) and, when that node fails or goes away,
tries the next in turn, so a node stopped for maintenance or lost costs a reconnection, not an outage.
A TCP load balancer in front of the nodes would do the same with one address, but it is one more
thing to run and to keep available; the cluster's own addresses need nothing else. A single address
works as before.
"""

from __future__ import annotations

import itertools
import random
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractRobustConnection
from aio_pika.robust_connection import RobustConnection
from yarl import URL


def node_urls(amqp_url: str) -> list[str]:
    """One URL per node of the comma-separated host list, each with the same user, virtual host and query."""
    parts = urlsplit(amqp_url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    prefix = f"{credentials}@" if credentials else ""
    return [urlunsplit(parts._replace(netloc=prefix + host.strip())) for host in hosts.split(",") if host.strip()]


def safe(amqp_url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(amqp_url)
    credentials, at, hosts = parts.netloc.rpartition("@")
    user = credentials.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}{at}{hosts}"))


async def connect(amqp_url: str, **options: Any) -> AbstractConnection:
    """A plain connection to the first node that answers, trying each once."""
    failure: Exception | None = None
    for url in _in_turn(node_urls(amqp_url)):
        try:
            return cast(AbstractConnection, await aio_pika.connect(url, **options))
        except (OSError, aio_pika.exceptions.AMQPConnectionError) as error:
            failure = error
    raise ConnectionError(f"no node of {safe(amqp_url)} answered: {failure}") from failure


async def connect_robust(amqp_url: str, **options: Any) -> AbstractRobustConnection:
    """A robust connection that, each time it (re)connects, tries the next node; the first connection
    tries each node once before it gives up."""
    cls = connection_class(amqp_url)
    failure: Exception | None = None
    for _ in node_urls(amqp_url):
        try:
            connection = await aio_pika.connect_robust(node_urls(amqp_url)[0], connection_class=cls, **options)
            return cast(AbstractRobustConnection, connection)
        except (OSError, aio_pika.exceptions.AMQPConnectionError) as error:
            failure = error
    raise ConnectionError(f"no node of {safe(amqp_url)} answered: {failure}") from failure


def connection_class(amqp_url: str) -> type[RobustConnection]:
    """aio-pika's robust connection, moving to the next node at every connection attempt: the class to
    hand to `aio_pika.connect_robust(connection_class=...)`, as FastStream's broker does too. Its
    connections share one turn, so a new connection after a failed one starts at the next node."""
    addresses = tuple(URL(url) for url in _in_turn(node_urls(amqp_url)))
    turn = itertools.cycle(addresses)
    shown = safe(amqp_url)

    class ClusterConnection(RobustConnection):
        # aio-pika reads `self.url` while it is made (for the query's options) and then once per
        # connection attempt, nowhere else: each attempt takes the next node.
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._made = False
            super().__init__(*args, **kwargs)
            self._made = True

        @property
        def url(self) -> URL:
            return next(turn) if getattr(self, "_made", False) else addresses[0]

        @url.setter
        def url(self, _: URL) -> None:
            """The addresses are the cluster's; what aio-pika sets is the first of them."""

        def __str__(self) -> str:
            return shown

    return ClusterConnection


def use_cluster(broker: Any, amqp_url: str) -> None:
    """Make a FastStream RabbitBroker, built with the first node's URL, connect through every node.
    FastStream hands its connection arguments to aio-pika's `connect_robust` unchanged."""
    cast(dict[str, Any], broker._connection_kwargs)["connection_class"] = connection_class(amqp_url)


def _in_turn(urls: list[str]) -> list[str]:
    """The nodes from one chosen at random, so that processes spread over the cluster."""
    start = random.randrange(len(urls))  # noqa: S311 - spreading load, not a secret
    return urls[start:] + urls[:start]
