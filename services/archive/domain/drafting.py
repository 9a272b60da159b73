"""What every document the archive draws up shares: the draft's frame, the ticket as reported, times in
the site's own clock, and the words its form shows for the codes it holds."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.archive.domain.documents import Category, Draft
from services.archive.domain.story import LANGUAGE, Site, Story
from shared.contracts import TicketOpened, TicketPaused, TicketResumed
from shared.words import words as words_of

Used = Mapping[str, Iterable[str | None]]
"""The codes a document shows, by vocabulary (shared/words.py's, and `subsystem` for the site's)."""


def draft(
    category: Category,
    title: str,
    site: Site,
    at: datetime,
    *,
    ticket_id: str | None,
    source: str,
    form: str,
    content: dict[str, Any],
    images: dict[str, bytes] | None = None,
    words: Used | None = None,
) -> Draft:
    """A document of the site; `words` names the codes its form shows, whose words it carries."""
    shown = worded(site, words or {})
    return Draft(
        category=category,
        title=f"{title} {ticket_id}" if ticket_id else title,
        site_code=site.code,
        site_name=site.name,
        timezone=site.timezone,
        year=at.astimezone(ZoneInfo(site.timezone)).year,
        ticket_id=ticket_id,
        source=source,
        form=form,
        content={"form": form, **content, **({"words": shown} if shown else {})},
        images=images or {},
    )


def worded(site: Site, used: Used) -> dict[str, dict[str, str]]:
    """The words for the codes a document shows, in the documents' language, by vocabulary: filed with
    it, so that its PDF reads the same whenever it is typeset (the site's subsystems by their names, as
    intake described them when it was filed). A document filed before carries none: its form shows codes."""
    shown: dict[str, dict[str, str]] = {}
    for vocabulary, codes in used.items():
        if vocabulary == "subsystem":
            found = {code: site.subsystems[code] for code in codes if code and code in site.subsystems}
        else:
            found = words_of(vocabulary, codes, LANGUAGE)
        if found:
            shown[vocabulary] = dict(sorted(found.items()))
    return shown


def ticket_words(opened: TicketOpened | None) -> dict[str, list[str | None]]:
    """The codes every ticket document shows: the ticket's subsystem, kind and priority."""
    if opened is None:
        return {}
    return {"subsystem": [opened.subsystem], "kind": [opened.kind.value], "priority": [opened.priority.value]}


def ticket_facts(opened: TicketOpened | None, site: Site, ticket_id: str | None = None) -> dict[str, Any]:
    """What every ticket document says of the ticket: the fault as reported."""
    if opened is None:
        return {"ticket_id": ticket_id, "site": {"code": site.code, "name": site.name}}
    return {
        "ticket_id": opened.ticket_id,
        "site": {"code": opened.site_code, "name": site.name},
        "subsystem": opened.subsystem,
        "device": opened.device.model_dump(mode="json") if opened.device else None,
        "kind": opened.kind.value,
        "priority": opened.priority.value,
        "description": opened.description,
    }


def local(moment: datetime, site: Site) -> str:
    return moment.astimezone(ZoneInfo(site.timezone)).isoformat()


def first_time(events: list[Any], field: str, site: Site) -> str | None:
    return local(getattr(events[0], field), site) if events else None


def pauses(story: Story, site: Site) -> list[dict[str, Any]]:
    resumes = [r.resumed_at for r in story.all(TicketResumed)]
    spans = []
    for pause in story.all(TicketPaused):
        until = next((at for at in resumes if at >= pause.paused_at), None)
        spans.append(
            {
                "reason": pause.reason,
                "from": local(pause.paused_at, site),
                "to": local(until, site) if until else None,
            }
        )
    return spans


def signature(png: str | None) -> dict[str, bytes]:
    return {"signature": base64.b64decode(png)} if png else {}
