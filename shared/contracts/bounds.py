"""The longest value each kind of contract field may carry.

Every string, list and map of every contract is bounded, so that no message can make a consumer
store, index or typeset megabytes (the broker's own cap of 1 MiB per message is the last line).
The bounds are wider than what any producer accepts at its own edge (intake's request, dispatch's
API, the register's import, the partners' replies are checked against these same models), so a
message a service built from valid input is never refused downstream. A value beyond them fails
validation: a consumer dead-letters the message as invalid, a producer refuses to publish it.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import StringConstraints

from shared.signatures import MAX_SIGNATURE_BYTES

MAX_IDENTIFIER = 120
MAX_CODE = 80
MAX_NAME = 300
MAX_TEXT = 8_000
MAX_URL = 2_083  # as pydantic's HttpUrl
MAX_ITEMS = 200
MAX_ENTRIES = 50
MAX_SIGNATURE_BASE64 = 4 * math.ceil(MAX_SIGNATURE_BYTES / 3)

Identifier = Annotated[str, StringConstraints(max_length=MAX_IDENTIFIER)]
"""An id: a ticket, an engineer, a case, a message, a serial number, an asset tag."""

Code = Annotated[str, StringConstraints(max_length=MAX_CODE)]
"""A machine-readable word: a site or subsystem code, a partner, a reason code, a time zone."""

Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
"""A name or a short phrase people read: a site, a person, a model, a title, an address."""

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
"""Words people wrote: a description, findings, a summary, a reason given in full."""

Url = Annotated[str, StringConstraints(max_length=MAX_URL)]

SignatureImage = Annotated[str, StringConstraints(max_length=MAX_SIGNATURE_BASE64)]
"""A handwritten signature: a PNG of at most MAX_SIGNATURE_BYTES, in base64."""
