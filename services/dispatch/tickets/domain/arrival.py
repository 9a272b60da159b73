"""Proof of arrival: the engineer's phone gives its position when they check in on site; compared with
the site's coordinates, an arrival too far away, too vague to tell, or without a position is still
accepted (the engineer may be in a basement with no fix) but flagged for the service manager, with the
distance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class SiteLocation:
    latitude: float
    longitude: float
    radius_m: float


class Doubt(StrEnum):
    NO_POSITION = "no_position"
    TOO_VAGUE = "position_too_vague"
    TOO_FAR = "too_far"


@dataclass(frozen=True)
class ArrivalCheck:
    distance_m: float | None
    doubt: Doubt | None  # None: the position agrees with the site (or the site has no coordinates)
    checked: bool  # False: the site has no coordinates to compare with

    @property
    def flagged(self) -> bool:
        return self.doubt is not None

    def note(self) -> str:
        """The history row's words."""
        if self.doubt is Doubt.NO_POSITION:
            return "arrival flagged: no position from the phone"
        distance = f"{self.distance_m:.0f} m from the site" if self.distance_m is not None else ""
        if self.doubt is Doubt.TOO_VAGUE:
            return f"arrival flagged: the position is too vague to tell ({distance})"
        if self.doubt is Doubt.TOO_FAR:
            return f"arrival flagged: {distance}"
        return f"arrived {distance}" if self.checked else "arrived (the site has no coordinates to check against)"

    def facts(self) -> dict[str, Any]:
        """The same as codes and figures, for the pages to word in their reader's language."""
        distance = round(self.distance_m) if self.distance_m is not None else None
        return {"doubt": self.doubt.value if self.doubt else None, "distance_m": distance, "checked": self.checked}


def distance_m(a_latitude: float, a_longitude: float, b_latitude: float, b_longitude: float) -> float:
    """Great-circle distance (haversine); within a few metres over the distances that matter here."""
    phi1, phi2 = math.radians(a_latitude), math.radians(b_latitude)
    d_phi, d_lambda = phi2 - phi1, math.radians(b_longitude - a_longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def check_arrival(site: SiteLocation | None, position: Position | None) -> ArrivalCheck:
    """Whether the phone was where the site is. The fix's own accuracy counts in the engineer's favour
    (a phone whose fix says "within 80 m" is taken to be anywhere in that circle) as long as it is no
    vaguer than the site's radius."""
    if position is None:
        return ArrivalCheck(None, Doubt.NO_POSITION, checked=site is not None)
    if site is None:
        return ArrivalCheck(None, None, checked=False)
    distance = distance_m(site.latitude, site.longitude, position.latitude, position.longitude)
    accuracy = position.accuracy_m or 0.0
    if accuracy > site.radius_m:  # a fix vaguer than the site's own circle cannot place the phone in it
        return ArrivalCheck(distance, Doubt.TOO_VAGUE, checked=True)
    if distance > site.radius_m + accuracy:
        return ArrivalCheck(distance, Doubt.TOO_FAR, checked=True)
    return ArrivalCheck(distance, None, checked=True)
