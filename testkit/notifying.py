"""The notification tests' site (tests/sites/notification-test.toml, NTF1: its engineers always on shift,
its staff told only about it), dispatch deciding whom to tell and notify telling them through a local
mail server and a recording text message provider; people's contacts there, and a ticket opened there
and assigned."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import services
from shared.service import seed_site
from testkit.broker import send_envelopes
from testkit.in_process import RunningService, running
from testkit.machine import REPOSITORY
from testkit.receivers import MailServer, RecordedSms
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World

SITE = REPOSITORY / "tests" / "sites" / "notification-test.toml"


@asynccontextmanager
async def notifying_suite(world: World, mail: MailServer) -> AsyncIterator[tuple[RunningService, RunningService]]:
    """Dispatch and notify, notify sending to `mail` and to RecordedSms (emptied first), ticking every 0.2 s."""
    for name in ("dispatch", "notify"):
        await seed_site(services.definition(name), world.database_url, SITE)
    RecordedSms.sent.clear()
    settings = {
        "smtp_host": mail.host, "smtp_port": mail.port, "smtp_security": "none", "notice_tick_seconds": 0.2,
        "sms_provider": "testkit.receivers:RecordedSms", "console_url": "http://console.test",
    }  # fmt: skip
    async with running(world, "dispatch", "notify", **settings) as suite:
        yield suite["dispatch"], suite["notify"]


async def contact(notify: RunningService, username: str, **terms: Any) -> None:
    """Keep a person's contact at NTF1 (their choices replaced by `terms`)."""
    answer = await notify.http.put(f"/contacts/{username}", json={"site_codes": ["NTF1"], **terms})
    assert answer.status_code == 200, answer.text


async def open_ticket(world: World, dispatch: RunningService, **changes: Any) -> str:
    """A bgm fault at NTF1, once it is assigned (to its owner, N01)."""
    ticket_id = f"NTF1-20261127-{uuid.uuid4().hex[:6]}"
    opened = opened_envelope(ticket_id, site_code="NTF1", site_name="Test plaza", **changes)
    await send_envelopes(world.amqp_url, [opened])

    async def assigned() -> str:
        ticket = (await dispatch.http.get(f"/tickets/{ticket_id}")).json()
        assert ticket.get("engineer_id")
        return str(ticket["engineer_id"])

    await eventually(assigned, timeout=60, what="the assignment")
    return ticket_id
