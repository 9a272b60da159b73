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
from testkit.escalations import accepted_fault, escalate, event_hall_dsp, vendor_knows
from testkit.in_process import running
from testkit.partners import EXAMPLE_CLIENT, example_client, onboarded, said
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

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

        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)
        escalated = await escalate(dispatch, ticket, partner.code, findings="Reboots under load")
        assert escalated.status_code == 200, escalated.text
        [sent] = await tap.wait_for("vendor.escalation.sent", ticket)
        case = sent["payload"]["case_number"]

        # The partner was offline when the request was sent; it finds it waiting when it starts.
        with example_client(partner, tmp_path, "--repair-after", "0.2") as client:
            [closed] = await tap.wait_for("vendor.escalation.closed", ticket, timeout=30)
            assert closed["payload"]["outcome"] == "fixed"
            assert [(r["case"], r["serial"]) for r in said(client, "request")] == [(case, event_hall_dsp(site)[1])]
            assert [r["step"] for r in said(client, "replied")] == ["acknowledged", "diagnosis", "repaired"]

            async def every_step_recorded() -> bool:
                # Replies sent back to back may be taken in either order (a late one is kept as a note).
                history = (await vendor.get(f"/cases/{case}")).json()["history"]
                steps = ["requested", "sent", "acknowledged", "diagnosis", "repaired", "fixed"]
                return sorted(h["step"] for h in history) == sorted(steps)

            await eventually(every_step_recorded, what="every step of the client in the case's history")

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
