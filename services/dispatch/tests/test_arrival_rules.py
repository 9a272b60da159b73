"""Proof of arrival as a plain rule: the distance, the fix's accuracy in the engineer's favour, and
what is flagged."""

from __future__ import annotations

import pytest

from services.dispatch.tickets.domain.arrival import Doubt, Position, SiteLocation, check_arrival, distance_m

HH138 = SiteLocation(latitude=31.2196, longitude=121.4733, radius_m=150)


def test_distances_on_the_globe() -> None:
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-3)  # a degree of the equator
    assert distance_m(31.2196, 121.4733, 31.2196, 121.4733) == 0
    # The Bund to People's Square, about 1.5 km.
    assert distance_m(31.2400, 121.4900, 31.2304, 121.4737) == pytest.approx(1_900, rel=0.1)


@pytest.mark.parametrize(
    ("position", "doubt", "note"),
    [
        (Position(31.2197, 121.4734, 20), None, "arrived 15 m from the site"),
        (Position(31.2210, 121.4733, 10), None, "arrived 156 m from the site"),  # inside the radius with its fix
        (Position(31.2230, 121.4733, 30), Doubt.TOO_FAR, "arrival flagged: 378 m from the site"),
        (Position(31.2197, 121.4734, 2_500), Doubt.TOO_VAGUE, "arrival flagged: the position is too vague"),
        (None, Doubt.NO_POSITION, "arrival flagged: no position from the phone"),
    ],
)
def test_what_is_flagged(position: Position | None, doubt: Doubt | None, note: str) -> None:
    checked = check_arrival(HH138, position)
    assert (checked.doubt, checked.flagged) == (doubt, doubt is not None)
    assert checked.note().startswith(note)


def test_a_site_without_coordinates_cannot_doubt_a_position() -> None:
    checked = check_arrival(None, Position(31.0, 121.0, 10))
    assert (checked.flagged, checked.checked, checked.distance_m) == (False, False, None)
    assert "no coordinates" in checked.note()
    assert check_arrival(None, None).doubt is Doubt.NO_POSITION
