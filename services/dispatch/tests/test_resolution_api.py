"""Resolving on site through dispatch's API, over the real broker and database: the parts used and the
customer's confirmation with the signature drawn on the engineer's phone travel on `ticket.resolved`;
a signature that is not a PNG is refused with 422 and the ticket stays where it was."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from testkit.broker import EventTap, send_envelopes
from testkit.documents import signature_png
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.world import World


async def test_the_customers_confirmation_travels_with_the_resolution(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded, names=("dispatch",))
    reported = datetime.now(UTC) - timedelta(hours=1)
    envelope = opened_envelope(site_code=site, reported_at=reported)
    ticket = envelope.payload.ticket_id
    async with running(seeded, "dispatch") as suite:
        dispatch = suite["dispatch"].http
        await send_envelopes(seeded.amqp_url, [envelope])
        await tap.wait_for("ticket.assigned", ticket)
        at = (reported + timedelta(minutes=30)).isoformat()
        assert (await dispatch.post(f"/tickets/{ticket}/accept", json={"at": at})).status_code == 200

        not_a_png = {"name": "Ms. Xu", "signature_png": base64.b64encode(b"GIF89a...").decode()}
        refused = await dispatch.post(
            f"/tickets/{ticket}/resolve", json={"summary": "Fuse replaced", "confirmation": not_a_png}
        )
        assert refused.status_code == 422
        assert "not a PNG" in refused.text
        assert (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "accepted"

        signature = base64.b64encode(signature_png()).decode()
        body = {
            "summary": "Fuse replaced",
            "parts": ["Fuse T3.15A", "Terminal block"],
            "confirmation": {"name": "Ms. Xu", "role": "duty manager", "signature_png": signature},
        }
        assert (await dispatch.post(f"/tickets/{ticket}/resolve", json=body)).status_code == 200
        [resolved] = await tap.wait_for("ticket.resolved", ticket)
        payload = resolved["payload"]
        assert payload["parts"] == ["Fuse T3.15A", "Terminal block"]
        assert (payload["confirmation"]["name"], payload["confirmation"]["signature_png"]) == ("Ms. Xu", signature)
