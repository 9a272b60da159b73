"""How sign-in slows down guessing without letting anyone lock anyone out, and without telling which
names exist: wrong passwords are counted by the name tried (known or not, alike) and by the client's
address; past a few free ones, each further one makes that name or address wait twice as long as the
last, up to a ceiling. A name's ceiling is short (a minute), so someone who keeps guessing at the
manager's name the night of an outage delays them by at most that; an address's is long. Counts are
forgotten an hour after the last wrong password, and a right password clears its name's count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Throttle:
    prefix: str  # the key's kind: "name" or "address"
    free: int  # wrong passwords before any wait
    longest: timedelta  # the ceiling of the wait

    def key(self, value: str) -> str:
        return f"{self.prefix}:{value.lower()}"

    def wait_after(self, failures: int) -> timedelta:
        """How long the key waits after its `failures`-th wrong password in a row."""
        if failures < self.free:
            return timedelta(0)
        return min(self.longest, timedelta(seconds=2 ** min(failures - self.free, 20)))


BY_NAME = Throttle("name", free=5, longest=timedelta(minutes=1))


def by_address(free: int) -> Throttle:
    return Throttle("address", free=free, longest=timedelta(minutes=15))


def counted_before(failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """Wrong passwords still counted: none once the last is an hour old."""
    return failures if last_failure_at is not None and now - last_failure_at < FORGET_AFTER else 0
