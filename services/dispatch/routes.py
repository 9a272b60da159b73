"""Dispatch's HTTP API: each area's routes in one router. A ticket's moves come last: their
`POST /tickets/{ticket_id}/{action}` would otherwise take the requests of the routes named alike
(assign, escalate, swaps, notes, links, follow-up, appointment)."""

from fastapi import APIRouter

from services.dispatch.followups import handlers as followups
from services.dispatch.inspections import handlers as inspections
from services.dispatch.quality import handlers as quality
from services.dispatch.roster import handlers as roster
from services.dispatch.tickets import handlers as tickets
from services.dispatch.tickets import links, notes
from services.dispatch.tickets import manager_handlers as manager

router = APIRouter(tags=["dispatch"])
for area in (manager, notes, links, roster, followups, quality, inspections, tickets):
    router.include_router(area.router)
