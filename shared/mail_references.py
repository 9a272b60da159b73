"""The Message-IDs the suite gives the mails it sends (notify's notices, the hotline's acknowledgements),
as plain functions: one about a ticket names it, so that a reply (its In-Reply-To or References) leads
back to that ticket; and any of them is recognised when it comes back to the hotline, which then never
answers it. Only the shape is checked: who may write on a ticket is the hotline's rule (its sender must
be the ticket's reporter or known at its site), not the reference's."""

from __future__ import annotations

import re
import secrets
from typing import Literal

TICKET_REFERENCE = re.compile(r"<(?:ack|notice)\.([A-Z0-9]{2,12}-\d{8}-\d{4,6})\.[0-9a-f]+@[^>]+>")
"""A Message-ID the suite made for a mail about a ticket; its group is the ticket's number."""
OWN_REFERENCE = re.compile(r"<(?:ack|notice)\.(?:[A-Z0-9]{2,12}-\d{8}-\d{4,6}\.)?[0-9a-f]+@[^>]+>")
"""Any Message-ID the suite made."""


def message_id(purpose: Literal["ack", "notice"], ticket_id: str | None, domain: str) -> str:
    """A fresh Message-ID; one about a ticket names it (`<ack.HH138-20261207-0004.5f2a…@domain>`)."""
    unique = secrets.token_hex(8)
    return f"<{purpose}.{ticket_id}.{unique}@{domain}>" if ticket_id else f"<{purpose}.{unique}@{domain}>"
