"""The example partner client of examples/, run as a partner would run it (its own process, plain
aio-pika), against the suite over the real broker: it finds the request that waited while it was
offline, acknowledges it, reports the repair, reads the refusal Aftercare put on its error queue, and
stops cleanly. And it imports nothing of Aftercare's."""

from __future__ import annotations

import ast
import signal
import sys
from pathlib import Path

from shared.contracts.partners import Diagnosis
from testkit.broker import EventTap
from testkit.in_process import running
from testkit.partners import EXAMPLE_CLIENT, example_client, onboarded, said
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

ENGINEER = {"X-Aftercare-Actor": "wang.lei"}
PLAIN_LIBRARIES = {"aio_pika"}


def test_the_example_client_needs_nothing_but_aio_pika() -> None:
    tree = ast.parse(EXAMPLE_CLIENT.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    allowed = PLAIN_LIBRARIES | set(sys.stdlib_module_names) | {"__future__"}
    foreign = {name for name in imported if name.split(".")[0] not in allowed}
    assert foreign == set()


async def test_the_example_client_takes_a_case_from_request_to_repair(
    seeded: World, tap: EventTap, tmp_path: Path
) -> None:
    site = await fresh_site(seeded)
    async with onboarded(seeded) as partner, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))

        async def site_known() -> bool:
            return (await vendor.get(f"/directory/sites/{site}")).status_code == 200

        await eventually(site_known, what="the vendor service heard of the site")
        opened = await intake.post(
            "/requests",
            json={
                "site_code": site,
                "subsystem": "av",
                "asset_tag": f"{site}-AV-DSP-01",
                "description": "DSP in the event hall reboots every few minutes",
                "channel": "hotline",
                "reporter": {"name": "Event hall manager"},
            },
        )
        ticket = opened.json()["ticket_id"]
        await tap.wait_for("ticket.assigned", ticket)
        assert (await dispatch.post(f"/tickets/{ticket}/accept")).status_code == 200
        escalated = await dispatch.post(
            f"/tickets/{ticket}/escalate",
            json={"reason": "repair", "findings": "Reboots under load", "vendor_code": partner.code},
            headers=ENGINEER,
        )
        assert escalated.status_code == 200, escalated.text
        [sent] = await tap.wait_for("vendor.escalation.sent", ticket)
        case = sent["payload"]["case_number"]

        # The partner was offline when the request was sent; it finds it waiting when it starts.
        with example_client(partner, tmp_path, "--repair-after", "0.2") as client:
            [closed] = await tap.wait_for("vendor.escalation.closed", ticket, timeout=30)
            assert closed["payload"]["outcome"] == "fixed"
            assert [(r["case"], r["serial"]) for r in said(client, "request")] == [(case, f"{site}-BLU100-22A07716")]
            assert [r["step"] for r in said(client, "replied")] == ["acknowledged", "diagnosis", "repaired"]
            shown = (await vendor.get(f"/cases/{case}")).json()
            assert [h["step"] for h in shown["history"]] == [
                "requested",
                "sent",
                "acknowledged",
                "diagnosis",
                "repaired",
                "fixed",
            ]

            async def back_with_engineer() -> bool:
                return (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "accepted"

            await eventually(back_with_engineer, what="the ticket back with its engineer")

            # A reply Aftercare cannot take: the client reads why on its error queue.
            refused = await partner.reply(Diagnosis(case_number=case, diagnosis="and the fan"), step="diagnosis")

            async def told() -> bool:
                return [(r["message_id"], r["reason"]) for r in said(client, "refused")] == [
                    (refused, "impossible_step")
                ]

            await eventually(told, what="the refusal read from the error queue")
            returncode, output = client.stop(signal.SIGTERM, timeout=20)
        assert returncode == 0, output
        assert said(client, "stopped") == [{"event": "stopped", "partner": partner.code}]
