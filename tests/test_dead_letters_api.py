"""Every service's dead letters over HTTP, against the real broker: how many wait, each letter with the
reason it died (for an administrator only), and one sent back, which dies again while its cause is not
fixed; a letter of another queue, or of a queue the service does not have, is nobody's."""

from __future__ import annotations

import uuid

from shared.identity import Role
from testkit.broker import send
from testkit.identities import bearer
from testkit.in_process import running
from testkit.waiting import eventually
from testkit.world import World

ADMIN = bearer("root", Role.ADMIN)


async def test_an_administrator_reads_a_dead_letter_and_sends_it_back(seeded: World) -> None:
    poison = f"poison-{uuid.uuid4()}"
    async with running(seeded, "sla") as suite:
        sla = suite["sla"].http
        await send(
            seeded.amqp_url, b'{"type": "ticket.opened", "payload": "half a message', routing_key="ticket.opened",
            message_id=poison, message_type="ticket.opened",
        )  # fmt: skip

        async def dead() -> list[dict]:
            answer = await sla.get("/dead-letters/sla.inbox.dead", params={"limit": 500}, headers=ADMIN)
            assert answer.status_code == 200, answer.text
            return [letter for letter in answer.json() if letter["message_id"] == poison]

        letter = (await eventually(dead, what="the poison in sla.inbox.dead"))[0]
        assert (letter["reason"], letter["message_type"], letter["cut"]) == ("invalid_envelope", "ticket.opened", False)
        assert "half a message" in letter["body"]
        waiting = {q["queue"]: q["waiting"] for q in (await sla.get("/dead-letters", headers=ADMIN)).json()}
        assert waiting["sla.inbox.dead"] >= 1

        sent_back = await sla.post("/dead-letters/sla.inbox.dead/replay", json={"message_id": poison}, headers=ADMIN)
        assert sent_back.json() == {"queue": "sla.inbox.dead", "replayed": 1}

        async def died_again() -> bool:
            found = await dead()
            return bool(found) and found[0]["dead_at"] != letter["dead_at"]

        await eventually(died_again, what="the letter handled again, and dead again")

        manager = bearer("mgr", Role.MANAGER)
        assert (await sla.get("/dead-letters", headers=manager)).status_code == 200  # how many: the board's
        assert (await sla.get("/dead-letters/sla.inbox.dead", headers=manager)).status_code == 403
        assert (await sla.post("/dead-letters/sla.inbox.dead/replay", headers=manager)).status_code == 403
        unknown = await sla.get("/dead-letters/dispatch.inbox.dead", headers=ADMIN)
        assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_queue")
