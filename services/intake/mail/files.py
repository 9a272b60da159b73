"""The files of the hotline's mails: kept in the transaction that takes the mail (domain/keeping.py says
which, and why not), their photos sent to the archive as the ticket's photos once the mail is on a ticket
(when it is taken, or when the operator puts it on one), and each kept file served to the office.

A machine's mail (`ignored`) keeps no file: a bounce carries the mail it returns, an auto-reply a logo."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.mail.domain.keeping import KeptFile, keep
from services.intake.mail.domain.reading import Attachment, Mail
from services.intake.mail.domain.shrinking import shrunk
from services.intake.mail.tables import mail_attachments, mails
from shared.contracts import AddTicketPhoto, RequestChannel
from shared.contracts.bounds import MAX_NAME
from shared.contracts.photos import MAX_PHOTO_BYTES, PHOTOS_QUEUE
from shared.messaging.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from services.intake.mail.taking import Outcome

ON_A_TICKET = frozenset({"opened", "joined", "noted", "grouped"})


async def keep_files(uow: UnitOfWork, mail_id: UUID, mail: Mail, outcome: Outcome, *, now: datetime) -> None:
    """Keep the mail's files as the rules say, record in its row what became of each, and send its photos
    to its ticket if it is on one."""
    if outcome.status in ("ignored", "throttled") or not mail.attachments:  # a flood costs no decoding
        return
    files = keep(mail.attachments, lambda data: shrunk(data, max_bytes=MAX_PHOTO_BYTES))
    kept = [f for f in files if f.content is not None]
    if kept:
        await uow.connection.execute(
            mail_attachments.insert(),
            [
                {"mail_id": mail_id, "number": f.number, "filename": f.filename, "content_type": f.content_type,
                 "is_photo": f.is_photo, "content": f.content}
                for f in kept
            ],
        )  # fmt: skip
    listed = [_listed(attachment, file) for attachment, file in zip(mail.attachments, files, strict=True)]
    await uow.connection.execute(update(mails).where(mails.c.mail_id == mail_id).values(attachments=listed))
    if outcome.status in ON_A_TICKET and outcome.ticket_id:
        await send_photos(
            uow, mail_id, outcome.ticket_id, sender=mail.sender.email, sender_name=mail.sender.name, received_at=now
        )


def _listed(attachment: Attachment, file: KeptFile) -> dict[str, Any]:
    """The file as the mail's row lists it (the console shows it): what it was, and whether it is kept."""
    return {
        "filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size,
        "photo": attachment.is_photo, "refused": file.refused_because, "kept": file.content is not None,
        "kept_size": len(file.content) if file.content is not None else None,
    }  # fmt: skip


async def send_photos(
    uow: UnitOfWork, mail_id: UUID, ticket_id: str, *, sender: str, sender_name: str, received_at: datetime
) -> int:
    """Send the mail's kept photos to the archive's queue as the ticket's (the customer's) photos; how many."""
    rows = await uow.connection.execute(
        select(mail_attachments.c.filename, mail_attachments.c.content)
        .where(mail_attachments.c.mail_id == mail_id, mail_attachments.c.is_photo)
        .order_by(mail_attachments.c.number)
    )
    sent = 0
    for row in rows:
        photo = AddTicketPhoto(
            ticket_id=ticket_id, photo=bytes(row.content), taken_at=received_at,
            sender=(sender_name or sender or "-")[:MAX_NAME], address=sender[:MAX_NAME] or None,
            channel=RequestChannel.EMAIL, mail_id=str(mail_id), filename=row.filename[:MAX_NAME],
        )  # fmt: skip
        uow.send(photo, routing_key=PHOTOS_QUEUE, correlation_id=ticket_id)
        sent += 1
    return sent


async def kept_file(connection: AsyncConnection, mail_id: UUID, number: int) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(mail_attachments).where(mail_attachments.c.mail_id == mail_id, mail_attachments.c.number == number)
        )
    ).first()
    return dict(row._mapping) if row is not None else None
