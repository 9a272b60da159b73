"""Dispatch's whole schema `dispatch`, as the migrations build it: the kernel's tables (schema.py), the
sites and their calendars its areas share (common/sites.py, common/site_calendars.py), and each area's
own tables (tickets, roster, followups, quality, inspections: `<area>/tables.py`), all on one metadata.
The notices area keeps no tables: what it decides leaves as `notice.decided` for the notify service."""

from services.dispatch.common.site_calendars import site_calendars as site_calendars
from services.dispatch.common.sites import sites as sites
from services.dispatch.db.schema import idempotency_keys as idempotency_keys
from services.dispatch.db.schema import inbox as inbox
from services.dispatch.db.schema import metadata as metadata
from services.dispatch.db.schema import outbox as outbox
from services.dispatch.db.schema import token_revocations as token_revocations
from services.dispatch.followups import tables as followups
from services.dispatch.inspections import tables as inspections
from services.dispatch.quality import tables as quality
from services.dispatch.roster import tables as roster
from services.dispatch.tickets import tables as tickets

AREAS = (tickets, roster, followups, quality, inspections)
