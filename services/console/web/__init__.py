"""The console's web pages for the office and the customer, server-rendered (Jinja2, htmx), live by
server-sent events; they call the other services' APIs as the signed-in person."""

from fastapi import APIRouter

from services.console.web import (
    admin,
    board,
    calls,
    customer,
    dead_letters,
    desks,
    field,
    field_offline,
    hooks,
    links,
    mailbox,
    notices,
    own_requests,
    pages,
    reports,
    site_admin,
    ticket_list,
)

router = APIRouter()
parts = (
    pages,
    calls,
    mailbox,
    ticket_list,
    board,
    links,
    customer,
    own_requests,
    desks,
    reports,
    admin,
    dead_letters,
    field,
    field_offline,
    hooks,
    notices,
    site_admin,
)
for part in parts:
    router.include_router(part.router)
