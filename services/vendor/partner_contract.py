"""The partner interface as an AsyncAPI 3.0 document, generated from the contracts themselves
(`shared.contracts.partners`) and the partner topology, so that it cannot drift from the code:
`aftercare partners contract --output docs/partners/asyncapi.yaml` writes it; a test compares; `make
lint` validates it with the AsyncAPI parser.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from services.vendor.partner_topology import REPLIES_EXCHANGE, REQUESTS_EXCHANGE, broker_user
from shared.contracts import Contract, Envelope
from shared.contracts.envelope import ENVELOPE_SCHEMA_VERSION
from shared.contracts.partners import REPLIES, EscalationCancelled, EscalationRequest, ReplyRefused

TITLE = "Aftercare vendor partner interface"
DESCRIPTION = """\
How a vendor partner receives Aftercare's escalation requests and replies to them, over AMQP 0-9-1 (RabbitMQ).

Each partner has its own broker user, `partner-{code}`, and its own durable queues. It consumes
`vendor.{code}.escalations` (requests and cancellations) and `vendor.{code}.errors` (why a reply was
refused), and publishes replies to the topic exchange `aftercare.vendor-replies` with the routing key
`{code}.{step}` and the AMQP property `user_id` set to its user name. The broker refuses anything else:
another partner's queue, another routing key prefix, another user_id, declaring or binding anything.

Every message is a JSON envelope: `message_id` (a UUID; Aftercare ignores a reply whose message_id it
has taken already, so a partner may safely resend), `type`, `schema_version`, `occurred_at`,
`producer`, `correlation_id` (the case number) and `payload`, whose schema depends on `type`. Every
reply names its case by `case_number`. Messages wait in a partner's queues for as long as it is
offline. A refused reply is dead-lettered on Aftercare's side and explained on the partner's error
queue; fix it and send it again under a new message_id. A reply's `occurred_at` is when the partner
sent it: replies are taken concurrently, and one sent before a step Aftercare has already taken is
kept as late and moves the case only to end it.
"""


PARTNER_MESSAGES: tuple[type[Contract], ...] = (EscalationRequest, EscalationCancelled, ReplyRefused, *REPLIES)


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in PARTNER_MESSAGES:
        messages[_name(contract)] = _message(contract, schemas)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": TITLE, "version": f"{ENVELOPE_SCHEMA_VERSION}.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "channels": {
            "escalationRequests": {
                "address": "vendor.{code}.escalations",
                "description": f"The partner's own queue, fed through the direct exchange `{REQUESTS_EXCHANGE}`.",
                "parameters": {"code": {"description": "The partner's code, e.g. bosch-cn."}},
                "messages": {
                    name: {"$ref": f"#/components/messages/{name}"}
                    for name in ("EscalationRequest", "EscalationCancelled")
                },
                "bindings": {
                    "amqp": {
                        "is": "queue",
                        "queue": {
                            "name": "vendor.{code}.escalations",
                            "durable": True,
                            "exclusive": False,
                            "autoDelete": False,
                        },
                        "bindingVersion": "0.3.0",
                    }
                },
            },
            "refusedReplies": {
                "address": "vendor.{code}.errors",
                "description": "Why a reply of the partner was refused.",
                "parameters": {"code": {"description": "The partner's code."}},
                "messages": {"ReplyRefused": {"$ref": "#/components/messages/ReplyRefused"}},
                "bindings": {
                    "amqp": {
                        "is": "queue",
                        "queue": {
                            "name": "vendor.{code}.errors",
                            "durable": True,
                            "exclusive": False,
                            "autoDelete": False,
                        },
                        "bindingVersion": "0.3.0",
                    }
                },
            },
            "replies": {
                "address": "{code}.{step}",
                "description": f"Routing keys on the topic exchange `{REPLIES_EXCHANGE}`, the partner's code first.",
                "parameters": {
                    "code": {"description": "The partner's code."},
                    "step": {"description": "The reply's step, e.g. acknowledged, repaired."},
                },
                "messages": {_name(reply): {"$ref": f"#/components/messages/{_name(reply)}"} for reply in REPLIES},
                "bindings": {
                    "amqp": {
                        "is": "routingKey",
                        "exchange": {"name": REPLIES_EXCHANGE, "type": "topic", "durable": True, "autoDelete": False},
                        "bindingVersion": "0.3.0",
                    }
                },
            },
        },
        "operations": {
            "receiveEscalationRequests": {
                "action": "receive",
                "channel": {"$ref": "#/channels/escalationRequests"},
                "summary": "Take Aftercare's requests: acknowledge each on the broker once it is safely recorded.",
            },
            "receiveRefusedReplies": {
                "action": "receive",
                "channel": {"$ref": "#/channels/refusedReplies"},
                "summary": "Learn why a reply was refused, fix it, send it again.",
            },
            "sendReplies": {
                "action": "send",
                "channel": {"$ref": "#/channels/replies"},
                "summary": f"Reply on a case, with user_id `{broker_user('{code}')}` and publisher confirms.",
                "bindings": {
                    "amqp": {
                        "userId": broker_user("{code}"),
                        "deliveryMode": 2,
                        "mandatory": False,
                        "bindingVersion": "0.3.0",
                    }
                },
            },
        },
        "components": {"messages": messages, "schemas": schemas},
    }


class _Dumper(yaml.SafeDumper):
    """Long descriptions as literal blocks, as a person would write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def render() -> str:
    return yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _name(contract: type[Contract]) -> str:
    return contract.__name__


def _message(contract: type[Contract], schemas: dict[str, Any]) -> dict[str, Any]:
    envelope = Envelope[contract].model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[valid-type]
    for name, schema in envelope.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    name = _name(contract)
    envelope["title"] = f"{name} envelope"
    envelope["properties"]["type"]["const"] = contract.message_type
    envelope["properties"]["schema_version"]["const"] = contract.schema_version
    return {
        "name": name,
        "title": contract.message_type,
        "summary": (contract.__doc__ or name).strip().splitlines()[0],
        "contentType": "application/json",
        "payload": json.loads(json.dumps(envelope)),
        "bindings": {"amqp": {"messageType": contract.message_type, "bindingVersion": "0.3.0"}},
    }
