"""Which agreement terms a deadline can be worked out from (pure). The contract bounds each term only
from below; a term of a million hours would overflow the deadline's date and a repair of 200,000
working days would hold the service for seconds counting them, so that every case escalated to the
partner afterwards failed. Terms beyond what any maintenance agreement promises are refused when saved."""

from __future__ import annotations

from shared.contracts import Agreement
from shared.refusals import Refused

LONGEST: dict[str, int] = {
    "acknowledge_hours": 24 * 366,  # a year
    "on_site_hours": 24 * 366,
    "repair_working_days": 260,  # a year of working days
    "replacement_days": 366,
}


def check_terms(agreement: Agreement) -> Agreement:
    """The agreement, if each term is at most a year; refused otherwise, naming the terms."""
    beyond = {name: longest for name, longest in LONGEST.items() if getattr(agreement, name) > longest}
    if beyond:
        named = ", ".join(f"{name} at most {longest}" for name, longest in beyond.items())
        raise Refused("agreement_out_of_range", f"no term of an agreement is longer than a year: {named}")
    return agreement
