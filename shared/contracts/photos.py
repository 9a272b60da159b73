"""What the archive accepts on its `archive.photos` queue: a photo of a ticket that another service received
(the customer's photos attached to their mail, which intake sends once the mail is on a ticket)."""

from __future__ import annotations

import base64
import binascii
import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.contracts.bounds import Identifier, Name
from shared.contracts.envelope import Command
from shared.contracts.vocabulary import RequestChannel

PHOTOS_QUEUE = "archive.photos"
"""The archive's command queue for photos (on `aftercare.queues`)."""

MAX_PHOTO_BYTES = 600 * 1024
"""A photo's JPEG at most: in base64 (4/3 of it) with its envelope, a message stays well under the broker's
1 MiB. Senders shrink their photos to fit (intake: services/intake/mail/domain/shrinking.py)."""

MAX_PHOTO_BASE64 = 4 * math.ceil(MAX_PHOTO_BYTES / 3)


def _from_base64(value: Any) -> Any:
    """Bytes as they are (a sender building the message); a string is base64 (the message as it travels)."""
    if isinstance(value, str):
        if len(value) > MAX_PHOTO_BASE64:
            raise ValueError(f"at most {MAX_PHOTO_BASE64} characters of base64")
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise ValueError(f"not base64: {error}") from error
    return value


JpegBytes = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    PlainSerializer(lambda data: base64.b64encode(data).decode("ascii"), return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/jpeg", "maxLength": MAX_PHOTO_BASE64}
    ),
]
"""A JPEG of at most MAX_PHOTO_BYTES, in base64 on the wire."""


class AddTicketPhoto(Command):
    """Keep this photo with the ticket, as the customer's (`from_customer`): the archive keeps a few of the
    customer's photos while the ticket is worked on (the same picture twice once) and shows them in the
    ticket's on-site service report."""

    message_type: ClassVar[str] = "archive.add_photo"

    ticket_id: Identifier
    photo: JpegBytes = Field(min_length=1, max_length=MAX_PHOTO_BYTES, description="The photo, a JPEG.")
    kind: Literal["from_customer"] = Field(
        "from_customer", description="Whose photo: the customer's, of the problem they report."
    )
    taken_at: AwareDatetime = Field(description="When it arrived (a mail's photo: when the mail was received).")
    sender: Name = Field(description="Who sent it, as their mail names them (or their address).")
    address: Name | None = Field(None, description="Where they sent it from (their e-mail address).")
    channel: RequestChannel = Field(description="How it came: email.")
    mail_id: Identifier | None = Field(None, description="The mail it came with, as intake keeps it.")
    filename: Name | None = Field(None, description="The file's name in the mail.")
