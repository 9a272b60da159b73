"""A vendor partner's side of Aftercare escalations, on plain aio-pika: copy it and put your own
service desk where `take_request` is.

It consumes the partner's own queue of escalation requests, answers each with an acknowledgement
(and, with --repair-after, a diagnosis and a repair some seconds later), and reads the partner's error
queue, where Aftercare explains any reply it refused. It prints one JSON line per thing it does.

    python partner_client.py --url amqp://partner-acme:PASSWORD@broker:5672/ --code acme

The rules it follows (docs/partners/asyncapi.yaml has the messages):
- A request is acknowledged to the broker only after the replies it caused were confirmed by the
  broker, so a crash loses nothing: the request comes again.
- Each reply's message id is derived from the case and the step, so a reply sent twice (after such a
  crash) counts once at Aftercare.
- Each reply carries the `user_id` property (the broker user) and the routing key `<code>.<step>`:
  the broker refuses anything else from this user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

REPLIES_EXCHANGE = "aftercare.vendor-replies"
REPLY_NAMESPACE = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


class PartnerClient:
    def __init__(self, url: str, code: str, *, repair_after: float | None, prefetch: int) -> None:
        self.url = url
        self.code = code
        self.user = unquote(urlsplit(url).username or "")
        self.repair_after = repair_after
        self.prefetch = prefetch
        self.replies: aio_pika.abc.AbstractExchange | None = None

    async def run(self, stop: asyncio.Event) -> None:
        # A robust connection reconnects and resumes consuming after a broker restart or a network cut.
        connection = await aio_pika.connect_robust(self.url)
        async with connection:
            publishing = await connection.channel(publisher_confirms=True)
            # The partner may not declare anything: the exchange and its queues exist already.
            self.replies = await publishing.get_exchange(REPLIES_EXCHANGE, ensure=False)
            consuming = await connection.channel()
            await consuming.set_qos(prefetch_count=self.prefetch)
            requests = await consuming.get_queue(f"vendor.{self.code}.escalations", ensure=False)
            errors = await consuming.get_queue(f"vendor.{self.code}.errors", ensure=False)
            await requests.consume(self.on_request)
            await errors.consume(self.on_error)
            say("ready", partner=self.code)
            await stop.wait()

    async def on_request(self, message: AbstractIncomingMessage) -> None:
        # Acknowledged to the broker when this returns; put back in the queue if it raises (the queue
        # dead-letters a request that fails again and again, for a person to look at).
        async with message.process(requeue=True):
            envelope = json.loads(message.body)
            kind, case = envelope["type"], envelope["payload"]["case_number"]
            if kind == "vendor.escalation_request":
                await self.take_request(envelope)
            elif kind == "vendor.escalation_cancelled":
                say("cancelled", case=case, reason=envelope["payload"]["reason"])
            else:
                say("ignored", case=case, type=kind)  # a newer message type: tolerate it

    async def take_request(self, envelope: dict[str, Any]) -> None:
        """Your service desk goes here: open a job, find an engineer, answer with the steps you take."""
        request = envelope["payload"]
        case = request["case_number"]
        device = request.get("device") or {}
        say("request", case=case, reason=request["reason"], serial=device.get("serial_number"))
        await self.reply(envelope, "acknowledged", {"estimate": "within one working day", "acknowledged_at": now()})
        if self.repair_after is not None:
            await asyncio.sleep(self.repair_after)
            await self.reply(envelope, "diagnosis", {"diagnosis": "Faulty power supply board"})
            await self.reply(envelope, "repaired", {"summary": "Power supply board replaced", "parts": ["PSU board"]})

    async def reply(self, request: dict[str, Any], step: str, fields: dict[str, Any]) -> None:
        case = request["payload"]["case_number"]
        message_id = str(uuid.uuid5(REPLY_NAMESPACE, f"{self.code}/{case}/{step}"))
        envelope = {
            "message_id": message_id,
            "type": f"vendor.reply.{step}",
            "schema_version": 1,
            "occurred_at": now(),
            "producer": self.user,
            "correlation_id": case,
            "causation_id": request["message_id"],
            "payload": {"case_number": case, **fields},
        }
        assert self.replies is not None
        await self.replies.publish(
            aio_pika.Message(
                json.dumps(envelope).encode(),
                message_id=message_id,
                type=envelope["type"],
                user_id=self.user,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=f"{self.code}.{step}",
        )  # returns once the broker confirmed it
        say("replied", case=case, step=step, message_id=message_id)

    async def on_error(self, message: AbstractIncomingMessage) -> None:
        """Aftercare refused one of our replies: here a person (or the desk) fixes it and sends it again."""
        async with message.process():
            notice = json.loads(message.body)["payload"]
            say("refused", message_id=notice["refused_message_id"], reason=notice["reason"], detail=notice["detail"])


def now() -> str:
    return datetime.now(UTC).isoformat()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="amqp://partner-<code>:<password>@<host>:5672/")
    parser.add_argument("--code", required=True, help="Your partner code, as Aftercare gave it.")
    parser.add_argument("--repair-after", type=float, default=None, help="Seconds; then report a repair.")
    parser.add_argument("--prefetch", type=int, default=20, help="Requests in hand at once.")
    arguments = parser.parse_args()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    client = PartnerClient(
        arguments.url, arguments.code, repair_after=arguments.repair_after, prefetch=arguments.prefetch
    )
    await client.run(stop)
    say("stopped", partner=arguments.code)


if __name__ == "__main__":
    asyncio.run(main())
