"""RabbitMQ: the virtual host, and each service's user, allowed its own queues and the shared exchanges."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import httpx

from shared.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    QUEUES_EXCHANGE,
    UNROUTED_EXCHANGE,
    ConsumerQueue,
)
from shared.provisioning.accounts import ProvisioningError, ServiceAccess

SHARED_EXCHANGES = (EVENTS_EXCHANGE, UNROUTED_EXCHANGE, DEAD_LETTER_EXCHANGE, QUEUES_EXCHANGE)


@dataclass(frozen=True)
class BrokerPermissions:
    """RabbitMQ's three permission patterns for one user in one virtual host."""

    configure: str
    write: str
    read: str


def broker_permissions(queues: Iterable[str], patterns: Iterable[str] = ()) -> BrokerPermissions:
    """What a service consuming `queues` needs, and nothing more it could be refused without breaking.

    It declares the shared exchanges and its own queues at start (configure; read and write for the
    bindings and the dead-letter and alternate exchanges they name), publishes events, retries,
    commands and dead letters to the shared exchanges (write), and consumes its queues (read). Another
    service's queue is neither declarable, bindable nor consumable. No right on the default exchange
    (`amq.default`), which reaches any queue by name and which RabbitMQ cannot restrict per routing key:
    what reaches a queue by name goes through `aftercare.queues`, under topic permissions
    (`queues_pattern`). `patterns` are further resources the service owns (regular expressions).
    """
    own = [name for queue in queues for name in _queue_family(queue)]
    names = [re.escape(name) for name in dict.fromkeys([*SHARED_EXCHANGES, *own])]
    return BrokerPermissions(
        configure=_any([*names, *patterns]),
        write=_any([*names, *patterns]),
        read=_any([*names, *patterns]),
    )


def events_pattern(event_types: Iterable[str]) -> str:
    """The routing keys a user may publish with on `aftercare.events`: exactly its service's event types."""
    escaped = sorted({re.escape(t) for t in event_types})
    return _any(escaped) if escaped else "^$"


def queues_pattern(queues: Iterable[str], sends: Iterable[str]) -> str:
    """The routing keys a user may publish with on `aftercare.queues`: its own queues' retry queues (a
    retry, a replay) and the other services' command queues its service sends to."""
    escaped = sorted({re.escape(ConsumerQueue(q).retry_queue) for q in queues} | {re.escape(q) for q in sends})
    return _any(escaped) if escaped else "^$"


def bindings_pattern(queues: Iterable[str]) -> str:
    """The routing keys a user may bind with on `aftercare.queues`: those of its own queues and their
    retry queues, so that it cannot bind a queue of its own to copies of another service's messages."""
    names = {name for queue in queues for name in (queue, ConsumerQueue(queue).retry_queue)}
    return _any(sorted(re.escape(name) for name in names)) if names else "^$"


def _queue_family(queue: str) -> tuple[str, str, str]:
    spec = ConsumerQueue(queue)
    return spec.name, spec.retry_queue, spec.dead_queue


def _any(patterns: Iterable[str]) -> str:
    return "^(" + "|".join(patterns) + ")$"


@dataclass(frozen=True)
class _BrokerAccount:
    user: str
    password: str | None
    vhost: str


def _broker_account(amqp_url: str) -> _BrokerAccount:
    parts = urlsplit(amqp_url)
    if not parts.username:
        raise ProvisioningError(f"no user in the AMQP URL for {parts.hostname}")
    return _BrokerAccount(
        user=unquote(parts.username),
        password=unquote(parts.password) if parts.password is not None else None,
        vhost=unquote(parts.path[1:]) or "/",
    )


def provision_broker(api_url: str, services: Sequence[ServiceAccess], *, timeout: float = 10) -> list[str]:
    """Create the virtual hosts, each service's user and its permissions through the management API.

    The administrator of the API gets full permissions on each virtual host, for the operators'
    dead-letter tools. Returns what it did, one line each.
    """
    api = httpx.URL(api_url)
    admin = api.username
    accounts: dict[tuple[str, str], tuple[_BrokerAccount, list[str]]] = {}
    patterns: dict[tuple[str, str], list[str]] = {}
    publishes: dict[tuple[str, str], list[str]] = {}
    sends: dict[tuple[str, str], list[str]] = {}
    for service in services:
        account = _broker_account(service.amqp_url)
        if account.user == admin:
            raise ProvisioningError(
                f"{service.service} connects to RabbitMQ as the administrator {admin!r}; give it a user of "
                f"its own in {service.service.upper()}_AMQP_URL"
            )
        key = (account.user, account.vhost)
        if key in accounts and accounts[key][0].password != account.password:
            raise ProvisioningError(f"two services use the RabbitMQ user {account.user!r} with different passwords")
        accounts.setdefault(key, (account, []))[1].extend(service.queues)
        patterns.setdefault(key, []).extend(service.broker_resources)
        publishes.setdefault(key, []).extend(service.publishes)
        sends.setdefault(key, []).extend(service.sends)

    done: list[str] = []
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    with httpx.Client(
        base_url=api.copy_with(username=None, password=None),
        auth=(admin, api.password or ""),
        timeout=timeout,
    ) as client:
        for account, _ in accounts.values():  # refuse before changing anything
            existing = client.get(f"/api/users/{_segment(account.user)}")
            if existing.status_code == 200 and "administrator" in str(existing.json().get("tags", "")):
                raise ProvisioningError(f"the RabbitMQ user {account.user!r} is an administrator; use another")
        for vhost in sorted({vhost for _, vhost in accounts}):
            _call(client, "PUT", f"/api/vhosts/{_segment(vhost)}", {})
            _call(client, "PUT", f"/api/permissions/{_segment(vhost)}/{_segment(admin)}", everything)
            done.append(f"virtual host {vhost} ready, {admin} may administer it")
        for account, queues in accounts.values():
            user: dict[str, str] = {"tags": ""}
            if account.password is not None:
                user["password"] = account.password
            _call(client, "PUT", f"/api/users/{_segment(account.user)}", user)
            permissions = broker_permissions(queues, patterns[account.user, account.vhost])
            _call(
                client,
                "PUT",
                f"/api/permissions/{_segment(account.vhost)}/{_segment(account.user)}",
                {"configure": permissions.configure, "write": permissions.write, "read": permissions.read},
            )
            events = publishes[account.user, account.vhost]
            _call(
                client,
                "PUT",
                f"/api/topic-permissions/{_segment(account.vhost)}/{_segment(account.user)}",
                {"exchange": EVENTS_EXCHANGE, "write": events_pattern(events), "read": ".*"},
            )
            _call(
                client,
                "PUT",
                f"/api/topic-permissions/{_segment(account.vhost)}/{_segment(account.user)}",
                {
                    "exchange": QUEUES_EXCHANGE,
                    "write": queues_pattern(queues, sends[account.user, account.vhost]),
                    "read": bindings_pattern(queues),
                },
            )
            done += _remove_legacy_retry_queues(client, account.vhost, queues)
            done.append(f"user {account.user} may use {', '.join(queues) or 'no queue'} in {account.vhost}")
            done.append(f"user {account.user} may publish {', '.join(sorted(events)) or 'no event'}")
    return done


def _remove_legacy_retry_queues(client: httpx.Client, vhost: str, queues: Iterable[str]) -> list[str]:
    """Releases before `aftercare.queues` retried through `<queue>.retry` and the default exchange. Such a
    queue is removed once it is empty (read first: quorum queues refuse an `if-empty` delete); until then
    the retries waiting in it come back by themselves."""
    done = []
    for queue in queues:
        legacy = f"/api/queues/{_segment(vhost)}/{_segment(f'{queue}.retry')}"
        found = client.get(legacy)
        if found.status_code == 404:
            continue
        if found.status_code == 200 and found.json().get("messages", 0) == 0:
            _call(client, "DELETE", legacy, {})
            done.append(f"removed the empty {queue}.retry of an earlier release")
        else:
            done.append(f"kept {queue}.retry of an earlier release until it is empty: provision again later")
    return done


def _segment(name: str) -> str:
    return quote(name, safe="")


def _call(client: httpx.Client, method: str, path: str, body: dict[str, str]) -> None:
    response = client.request(method, path, json=body)
    if response.status_code >= 300:
        raise ProvisioningError(f"{method} {path}: {response.status_code} {response.text[:300]}")


class BrokerAdmin:
    """A few administrator calls of RabbitMQ's management API, for accounts made one at a time (a vendor
    partner's user): create or change a user, set what it may do, take it all away."""

    def __init__(self, api_url: str, *, timeout: float = 10) -> None:
        api = httpx.URL(api_url)
        self._client = httpx.Client(
            base_url=api.copy_with(username=None, password=None),
            auth=(api.username, api.password or ""),
            timeout=timeout,
        )

    def __enter__(self) -> BrokerAdmin:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()

    def put_user(self, user: str, password: str) -> None:
        existing = self._client.get(f"/api/users/{_segment(user)}")
        if existing.status_code == 200 and "administrator" in str(existing.json().get("tags", "")):
            raise ProvisioningError(f"the RabbitMQ user {user!r} is an administrator; use another")
        _call(self._client, "PUT", f"/api/users/{_segment(user)}", {"password": password, "tags": ""})

    def limit_user(self, user: str, limits: dict[str, int]) -> None:
        """Per-user limits, e.g. {"max-connections": 10, "max-channels": 30}: past them the broker refuses."""
        for name, value in limits.items():
            path = f"/api/user-limits/{_segment(user)}/{_segment(name)}"
            response = self._client.put(path, json={"value": value})
            if response.status_code >= 300:
                raise ProvisioningError(f"PUT {path}: {response.status_code} {response.text[:300]}")

    def allow(self, vhost: str, user: str, permissions: BrokerPermissions) -> None:
        _call(
            self._client,
            "PUT",
            f"/api/permissions/{_segment(vhost)}/{_segment(user)}",
            {"configure": permissions.configure, "write": permissions.write, "read": permissions.read},
        )

    def allow_topics(self, vhost: str, user: str, exchange: str, *, write: str, read: str) -> None:
        """Which routing keys the user may publish (and bind) with on a topic exchange."""
        _call(
            self._client,
            "PUT",
            f"/api/topic-permissions/{_segment(vhost)}/{_segment(user)}",
            {"exchange": exchange, "write": write, "read": read},
        )

    def revoke(self, vhost: str, user: str) -> None:
        """Take away everything the user may do in the virtual host, and close its open connections."""
        for path in (
            f"/api/permissions/{_segment(vhost)}/{_segment(user)}",
            f"/api/topic-permissions/{_segment(vhost)}/{_segment(user)}",
        ):
            response = self._client.delete(path)
            if response.status_code >= 300 and response.status_code != 404:
                raise ProvisioningError(f"DELETE {path}: {response.status_code} {response.text[:300]}")
        self.close_connections(user, "access revoked")

    def close_connections(self, user: str, reason: str) -> None:
        """Close every connection the user has open, on every node: a connection keeps what it was allowed
        when it opened (its password, its permissions) until it closes. The broker tracks connections
        by user at once, unlike the connection list, which its statistics fill seconds later."""
        path = f"/api/connections/username/{_segment(user)}"
        response = self._client.delete(path, headers={"X-Reason": reason})
        if response.status_code >= 300 and response.status_code != 404:
            raise ProvisioningError(f"DELETE {path}: {response.status_code} {response.text[:300]}")
