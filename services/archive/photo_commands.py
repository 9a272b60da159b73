"""Photos other services send for a ticket, on the archive's queue `archive.photos`: the customer's photos
attached to their mail (intake sends them once the mail is on a ticket). Kept as the customer's own upload
is (domain/photos.py): a JPEG the report can show, a few while the ticket is worked on, the same once."""

from __future__ import annotations

from services.archive.db import photos as photo_rows
from services.archive.db import timeline
from services.archive.domain.photos import PhotoKind, check_customer_photo, checked
from services.archive.domain.story import Story, as_event
from shared.contracts import AddTicketPhoto, Envelope
from shared.logs import get_logger
from shared.messaging.failures import NotYet, PermanentFailure
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

log = get_logger(__name__)

photo_commands = MessageHandlers()


@photo_commands.on(AddTicketPhoto)
async def on_add_photo(message: Envelope[AddTicketPhoto], uow: UnitOfWork) -> None:
    sent = message.payload
    try:
        photo = checked(sent.photo, PhotoKind(sent.kind), sent.taken_at)
    except Refused as refused:  # the same bytes are refused on every attempt: a dead letter, with why
        raise PermanentFailure(refused.reason, refused.message) from refused
    connection = uow.connection
    await photo_rows.hold_ticket(connection, sent.ticket_id)
    story = Story.of(as_event(*row) for row in await timeline.events_of_ticket(connection, sent.ticket_id))
    if story.opened is None:  # its ticket.opened comes on the archive's inbox, and may come later
        raise NotYet(f"the archive has heard nothing of ticket {sent.ticket_id} yet")
    try:
        check_customer_photo(await photo_rows.count_of_kind(connection, sent.ticket_id, photo.kind.value),
                             finished=story.finished)  # fmt: skip
    except Refused as refused:
        # Not an error: the customer sent more than the ticket keeps; the mail in intake lists what came.
        log.info("customer photo not kept", ticket_id=sent.ticket_id, reason=refused.reason, mail_id=sent.mail_id)
        return
    by = f"{sent.sender} <{sent.address}>" if sent.address and sent.address != sent.sender else sent.sender
    await photo_rows.add(connection, sent.ticket_id, story.opened.site_code, photo, by=f"{sent.channel.value}: {by}")
