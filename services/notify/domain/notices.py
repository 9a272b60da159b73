"""How and when a person is told, as plain functions: the rules of notifications to people.

Whom to tell arrives decided (`notice.decided`: the engineer who holds the ticket, the site's service
managers, its quality desk, one named person, and whether it is urgent). Each person is told on the
channels they chose for that kind of notice, or by default on every channel they can be reached on (their
own WeCom rather than their group's robot), SMS only when it cannot wait. A notice that can wait does not
wake anyone off duty: it waits out the person's quiet hours in their own time zone. What is urgent (a
breach) never waits, nor does a notice to someone on shift or on call at the moment it was decided (the
7x24 promise: the night's fault reaches the engineer on call at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.contracts.notices import NoticeKind


class Channel(StrEnum):
    EMAIL = "email"
    ROBOT = "robot"  # a WeCom or DingTalk group robot, mentioning the person by their mobile number
    SMS = "sms"
    WECOM = "wecom"  # a WeCom application message to the person alone, by their WeCom userid


@dataclass(frozen=True)
class QuietHours:
    """Local wall times between which a person is not disturbed by what can wait, e.g. 22:00-07:30."""

    starts: time
    ends: time

    def covers(self, moment: time) -> bool:
        if self.starts <= self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends  # over midnight


QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_quiet_hours(text: str) -> QuietHours:
    """`22:00-07:30` -> QuietHours; ValueError says what is wrong."""
    found = QUIET_HOURS.match(text.strip())
    if found is None:
        raise ValueError(f"quiet hours {text!r} are not HH:MM-HH:MM, e.g. 22:00-07:30")
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    if (h1, m1) == (h2, m2):
        raise ValueError(f"quiet hours {text!r} start and end at the same time")
    return QuietHours(time(h1, m1), time(h2, m2))


def send_after(
    now: datetime, quiet: QuietHours | None, timezone: str, *, urgent: bool, on_duty: bool = False
) -> datetime:
    """When a notice may be sent: now, or if it can wait and it is the person's quiet time, when that ends.
    Quiet hours are for people off duty: whoever is on shift or on call when it is decided is told at once."""
    if quiet is None or urgent or on_duty:
        return now
    local = now.astimezone(ZoneInfo(timezone))
    if not quiet.covers(local.time()):
        return now
    ends_on = local.date() if local.time() < quiet.ends else local.date() + timedelta(days=1)
    ends = datetime.combine(ends_on, quiet.ends, tzinfo=local.tzinfo).astimezone(now.tzinfo)
    # In the hour a clock change repeats, the wall time may name a moment already past: the next day's.
    return ends if ends > now else ends + timedelta(days=1)


@dataclass(frozen=True)
class Reachable:
    """A person's addresses, as far as known."""

    email: str | None = None
    phone: str | None = None
    robot_url: str | None = None
    wecom_userid: str | None = None


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel
    address: str | None  # None: the person chose a channel they cannot be reached on
    why_not: str | None = None


@dataclass(frozen=True)
class Preferences:
    """The channels a person chose for each kind of notice; a kind not named takes the default."""

    channels: Mapping[str, tuple[Channel, ...]] = field(default_factory=dict)

    def channels_for(self, kind: NoticeKind, reach: Reachable, *, urgent: bool) -> list[ChannelChoice]:
        if kind.value in self.channels:
            return [_choice(channel, reach) for channel in self.channels[kind.value]]
        # A message to the person alone rather than a mention in their group, where both can be had.
        personal = Channel.WECOM if reach.wecom_userid else Channel.ROBOT
        defaults = [c for c in (personal, Channel.EMAIL) if _address(c, reach)]
        if urgent or not defaults:
            defaults += [Channel.SMS] if reach.phone else []
        return [_choice(channel, reach) for channel in defaults]


def preferences_from(raw: Mapping[str, Iterable[str]]) -> Preferences:
    """Preferences as stored or sent ({kind: [channel, ...]}); ValueError names an unknown kind or channel."""
    channels: dict[str, tuple[Channel, ...]] = {}
    for kind, chosen in raw.items():
        if kind not in NoticeKind.__members__.values():
            raise ValueError(f"unknown kind of notice {kind!r}; known: {', '.join(NoticeKind)}")
        try:
            channels[kind] = tuple(dict.fromkeys(Channel(c) for c in chosen))
        except ValueError:
            raise ValueError(f"unknown channel in {list(chosen)!r}; known: {', '.join(Channel)}") from None
    return Preferences(channels)


def _address(channel: Channel, reach: Reachable) -> str | None:
    addresses = {Channel.EMAIL: reach.email, Channel.SMS: reach.phone, Channel.ROBOT: reach.robot_url,
                 Channel.WECOM: reach.wecom_userid}  # fmt: skip
    return addresses[channel]


def _choice(channel: Channel, reach: Reachable) -> ChannelChoice:
    address = _address(channel, reach)
    missing = {Channel.EMAIL: "no e-mail address", Channel.SMS: "no mobile number", Channel.ROBOT: "no group robot",
               Channel.WECOM: "no WeCom userid"}  # fmt: skip
    return ChannelChoice(channel, address, None if address else missing[channel])
