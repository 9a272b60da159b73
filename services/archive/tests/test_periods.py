"""The periods registers cover: named like 2026-11 and 2026-Q4, and closed in the site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.archive.domain.periods import BadPeriod, RegisterKind, last_closed, parse

NOV = parse(RegisterKind.MONTHLY, "2026-11")


def test_periods_are_named_and_closed_in_the_sites_time_zone() -> None:
    assert (NOV.first, NOV.last, NOV.label) == (date(2026, 11, 1), date(2026, 11, 30), "2026-11")
    q4 = parse(RegisterKind.QUARTERLY, "2026-Q4")
    assert (q4.first, q4.last) == (date(2026, 10, 1), date(2026, 12, 31))
    # 16:30 UTC on 30 November is 00:30 on 1 December in Shanghai: November has closed there, not in London.
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert last_closed(RegisterKind.MONTHLY, moment, "Asia/Shanghai").label == "2026-11"
    assert last_closed(RegisterKind.MONTHLY, moment, "Europe/London").label == "2026-10"
    assert (
        last_closed(RegisterKind.QUARTERLY, datetime(2027, 1, 1, 0, 0, tzinfo=UTC), "Asia/Shanghai").label == "2026-Q4"
    )
    assert NOV.ends("Asia/Shanghai") == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    for kind, label in (
        (RegisterKind.MONTHLY, "2026-13"),
        (RegisterKind.QUARTERLY, "2026-Q5"),
        (RegisterKind.MONTHLY, "Nov"),
    ):
        with pytest.raises(BadPeriod, match="name it like"):
            parse(kind, label)
