"""Requests the suite sends where somebody else said to (a customer's webhook receiver): never inside.

A customer names a URL and a service POSTs to it from inside the deployment's network, so the URL could
reach the database, the broker's management port, another service or a cloud's metadata endpoint. The
guard refuses every address that is not globally routable (loopback, private, link-local, shared CGNAT,
unique-local, multicast, reserved, unspecified; IPv4 inside IPv6 judged as the IPv4 it carries) and the
metadata names, unless a deployment names the networks it delivers to on purpose.

It judges where the connection goes, not the URL's text: `GuardedBackend` resolves the name once, checks
every address it resolves to (one internal answer refuses the name: a resolver may hand out either), and
connects to the address it checked, so a name answering a public address to the check and a private one
to the connection (DNS rebinding) gains nothing. Redirects are never followed. Why not httpx-secure: it
finds a name's address by opening a connection to it, and that connection already reaches the host."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from shared.persistence.errors import causes

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names of cloud metadata services and of this machine, refused before any resolution.
METADATA_NAMES = frozenset(
    {"localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data"}
    | {"instance-data.ec2.internal"}
)
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 translated, RFC 6052
REFUSED = "refused: private address"
RESOLVING_SECONDS = 5.0  # a name whose resolver takes longer is taken as unresolvable


class Refused(httpcore.ConnectError):
    """The address or name is not one the suite may send to. Nothing was sent, nothing was probed."""


@dataclass(frozen=True)
class EgressPolicy:
    """Networks a deployment delivers to on purpose (an internal system of the customer's); none by default."""

    allowed: Sequence[Network] = ()

    # The words of a refusal name no address and no kind of address: a caller who may not reach the
    # network must not map it either (which internal name resolves, and to what).
    def refusal_of_name(self, host: str) -> str | None:
        name = host.strip("[]").rstrip(".").lower()
        return REFUSED if name in METADATA_NAMES or name.endswith((".localhost", ".internal")) else None

    def refusal_of_address(self, address: Address) -> str | None:
        if any(address in network for network in self.allowed if network.version == address.version):
            return None
        return None if private_kind(address) is None else REFUSED

    async def resolve(self, host: str, port: int) -> list[Address]:
        """Every address `host` resolves to, each admitted, or `Refused` naming the first that is not.
        Numeric forms (decimal, octal, hexadecimal IPv4) resolve as the C library reads them."""
        refusal = self.refusal_of_name(host)
        if refusal is not None:
            raise Refused(refusal)
        lookup = asyncio.get_running_loop().getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        try:
            found = await asyncio.wait_for(lookup, RESOLVING_SECONDS)
        except (socket.gaierror, TimeoutError) as error:
            raise httpcore.ConnectError(f"{host} does not resolve") from error
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(entry[4][0]).split("%", 1)[0]) for entry in found))
        for address in addresses:
            refusal = self.refusal_of_address(address)
            if refusal is not None:
                raise Refused(refusal)
        return addresses


def private_kind(address: Address) -> str | None:
    """What kind of non-public address this is, or None for a globally routable one."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if carried is None and address in NAT64:
            carried = ipaddress.IPv4Address(address.packed[-4:])
        if carried is not None:
            return private_kind(carried)
    kinds: list[tuple[bool, str]] = [
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in SHARED_ADDRESS_SPACE, "shared CGNAT space"),
        (isinstance(address, ipaddress.IPv6Address) and address in ipaddress.IPv6Network("fc00::/7"), "unique-local"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "site-local"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not globally routable"),
    ]
    return next((kind for matches, kind in kinds if matches), None)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy admits, as resolved here."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await asyncio.wait_for(self.policy.resolve(host, port), timeout)
        failure: Exception | None = None
        for address in addresses:  # each checked above; TLS still names the host (SNI, certificate)
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                failure = error
        raise failure or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise Refused("refused: unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_client(policy: EgressPolicy, timeout: float) -> httpx.AsyncClient:
    """An HTTP client that sends only where `policy` admits: no redirects followed, no proxy taken from
    the environment (a proxy would be where the connection goes, and the check would judge the proxy)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    transport = httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
    # httpx takes no network backend of its own; its pool is rebuilt with ours and httpx's TLS context.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=transport._pool._ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy),
    )
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)


def refusal_in(error: BaseException) -> str | None:
    """The guard's refusal behind an HTTP client's error, if that is why a request was not sent."""
    return next((str(cause) for cause in causes(error) if isinstance(cause, Refused)), None)
