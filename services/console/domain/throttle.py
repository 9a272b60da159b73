"""How sign-in slows down guessing without letting anyone lock anyone out, and without telling which
names exist: wrong passwords are counted for the name tried (known or not, alike) from each client
address, for each address whatever the names, and for each name from every address; past a few free
ones, each further one makes that key wait twice as long as the last, up to a ceiling.

Someone guessing at the manager's name from their own address delays only themselves; guessing at it
from many addresses, they need dozens of wrong passwords an hour before the name itself waits, and then
a minute at most. An IPv6 client is counted by its /64, which one subscriber holds whole. Counts are
forgotten an hour after the last wrong password, and a right password clears its name's counts."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

FORGET_AFTER = timedelta(hours=1)  # longer than any wait, so that a forgotten count holds nobody back


@dataclass(frozen=True)
class Throttle:
    prefix: str  # the key's kind
    free: int  # wrong passwords before any wait
    longest: timedelta  # the ceiling of the wait

    def key(self, value: str) -> str:
        return f"{self.prefix}:{value.lower()}"

    def wait_after(self, failures: int) -> timedelta:
        """How long the key waits after its `failures`-th wrong password in a row."""
        if failures < self.free:
            return timedelta(0)
        return min(self.longest, timedelta(seconds=2 ** min(failures - self.free, 20)))


FROM_AN_ADDRESS = Throttle("pair", free=5, longest=timedelta(minutes=15))  # one name, from one address
FROM_ANYWHERE = Throttle("name", free=50, longest=timedelta(minutes=1))  # one name, from every address


def by_address(free: int) -> Throttle:
    return Throttle("address", free=free, longest=timedelta(minutes=15))


def address_group(address: str) -> str:
    """The client as counted: its IPv4 address, or its IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed.ipv4_mapped or parsed) if isinstance(parsed, ipaddress.IPv6Address) else str(parsed)


def counted(name: str, address: str, addresses: Throttle) -> list[tuple[Throttle, str]]:
    """Each throttle a sign-in attempt is counted by, with the value it is counted under."""
    group = address_group(address)
    return [(FROM_AN_ADDRESS, f"{name}|{group}"), (addresses, group), (FROM_ANYWHERE, name)]


def counted_before(failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """Wrong passwords still counted: none once the last is an hour old."""
    return failures if last_failure_at is not None and now - last_failure_at < FORGET_AFTER else 0
