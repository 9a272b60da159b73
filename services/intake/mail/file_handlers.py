"""The files the hotline kept of a mail (files.py), for the office: `GET /mail/{id}` lists them (each with
whether it is kept, or why not); this route gives one, by its place in that list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from services.intake.mail.files import kept_file
from shared.http import Database, Problem, file_named
from shared.problems import documented

router = APIRouter(tags=["intake: e-mail hotline"])

# Shown in the browser as they are; any other file is only downloaded (a mail's HTML or SVG file must not
# run in the office's pages).
SHOWN = frozenset({"image/jpeg", "image/png", "application/pdf", "text/plain"})


@router.get(
    "/mail/{mail_id}/attachments/{number}",
    responses={
        200: {"content": {media_type: {} for media_type in sorted({*SHOWN, "application/octet-stream"})}},
        404: documented("No such file kept."),
    },
)
async def mail_file(
    mail_id: UUID, number: Annotated[int, Path(ge=0, le=1000, description="Its place in the mail's list, from 0.")],
    database: Database,
) -> Response:  # fmt: skip
    """One of the files kept of the mail: a photo as it was shrunk for its ticket, any other as it came."""
    async with database.connect() as connection:
        found = await kept_file(connection, mail_id, number)
    if found is None:
        raise Problem(404, "unknown_file", f"mail {mail_id} has no kept file {number}")
    shown = found["content_type"] in SHOWN
    return Response(
        content=bytes(found["content"]),
        media_type=found["content_type"] if shown else "application/octet-stream",
        headers=file_named(found["filename"], inline=shown),
    )
