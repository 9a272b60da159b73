"""The egress guard's rules: which addresses and names are inside, however they are written, and that a
deployment's allowed network lets exactly that network through."""

from __future__ import annotations

import ipaddress

import pytest

from shared.egress import REFUSED, EgressPolicy, Refused, private_kind

INSIDE = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "::1": "loopback",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "100.64.0.1": "shared CGNAT space",
    "fd00::1": "unique-local",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "reserved",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.0.0.1": "private",
    "2002:a9fe:a9fe::1": "link-local",  # 6to4 carrying 169.254.169.254
    "64:ff9b::7f00:1": "loopback",  # NAT64 carrying 127.0.0.1
    "192.0.2.10": "private",  # documentation: routed nowhere
    "fec0::1": "site-local",  # deprecated, and routed nowhere
}


@pytest.mark.parametrize(("address", "kind"), INSIDE.items())
def test_an_address_inside_is_refused_without_saying_what_it_is(address: str, kind: str) -> None:
    assert private_kind(ipaddress.ip_address(address)) == kind
    assert EgressPolicy().refusal_of_address(ipaddress.ip_address(address)) == REFUSED  # no address, no kind


@pytest.mark.parametrize("address", ["8.8.8.8", "203.0.114.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_a_public_address_is_admitted(address: str) -> None:
    assert EgressPolicy().refusal_of_address(ipaddress.ip_address(address)) is None


def test_an_allowed_network_admits_only_itself() -> None:
    policy = EgressPolicy((ipaddress.ip_network("10.20.0.0/16"),))
    assert policy.refusal_of_address(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal_of_address(ipaddress.ip_address("10.21.3.4")) is not None
    assert policy.refusal_of_address(ipaddress.ip_address("127.0.0.1")) is not None


@pytest.mark.parametrize(
    "name", ["localhost", "LOCALHOST.", "api.localhost", "metadata.google.internal", "metadata", "db.corp.internal"]
)
def test_local_and_metadata_names_are_refused_before_any_resolution(name: str) -> None:
    assert EgressPolicy().refusal_of_name(name) is not None


@pytest.mark.parametrize("written", ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "[::ffff:7f00:1]"])
async def test_every_way_of_writing_loopback_resolves_to_a_refusal(written: str) -> None:
    with pytest.raises(Refused, match=REFUSED):
        await EgressPolicy().resolve(written, 80)
