"""The partner interface as an AsyncAPI 3.0 document, generated from the contracts themselves
(`shared.contracts.partners`) and the partner topology, so that it cannot drift from the code:
`aftercare partners contract --output docs/partners/asyncapi.yaml` writes it; a test compares; `make
lint` validates it with the AsyncAPI parser.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from services.vendor.domain.cases import STEP_OF_REPLY, Step
from services.vendor.partner_examples import FROM_REQUEST, ON_SENDING, examples
from services.vendor.partner_topology import REPLIES_EXCHANGE, REQUESTS_EXCHANGE, broker_user
from shared.contracts import Contract, Envelope
from shared.contracts.envelope import ENVELOPE_SCHEMA_VERSION
from shared.contracts.partners import REPLIES, EscalationCancelled, EscalationRequest, ReplyRefused

TITLE = "Aftercare vendor partner interface"
DESCRIPTION = """\
How a vendor partner receives Aftercare's escalation requests and replies to them, over AMQP 0-9-1 (RabbitMQ).

**Connecting.** The integrator gives each partner a host, its broker user `partner-{code}` and a password
(`aftercare partners add`; a rotation or a disabling closes the partner's open connections). The virtual
host is `aftercare`; connect with TLS (amqps, port 5671) where the integrator offers it, else amqp on 5672.
A partner opens at most 10 connections and 30 channels; a message body is at most 1 MiB (the broker
closes the channel of a larger one: `PRECONDITION_FAILED - message size ... is larger than configured
max size`).

**Queues and keys.** The partner consumes `vendor.{code}.escalations` (requests and cancellations, routed
to it under the key `{code}` on the direct exchange `aftercare.vendors`) and
`vendor.{code}.errors` (why a reply was refused), and publishes replies to the topic exchange
`aftercare.vendor-replies` under the routing key `{code}.{step}`, one of the steps listed below, with the
AMQP property `user_id` set to its user name. The broker refuses anything else: another partner's
queue, another routing key prefix, another user_id, declaring or binding anything. Set the AMQP properties
`message_id` and `correlation_id` of a reply to its envelope's (a refusal names the refused reply by them),
`type` to its type, `content_type` to `application/json` and `delivery_mode` to 2 (persistent):
`x-amqp-properties` of the operation `sendReplies` lists them, and each reply message its `x-routing-key`.

**The envelope.** Every message is a JSON envelope: `message_id` (a UUID; Aftercare ignores a reply whose
message_id it has taken already, so a partner may safely resend), `type` (the message's type below,
e.g. `vendor.reply.repaired`; not the routing key), `schema_version`, `occurred_at`, `producer`
(`vendor` on Aftercare's messages; on a reply, the partner's user name), `correlation_id` (on a request
or cancellation, the case number; on a reply, set it to the case number; on a refusal, the refused
reply's correlation_id, or its message_id when it had none) and `payload`, whose schema depends on
`type`. Every reply names its case by `case_number`. Messages wait in a partner's queues for as long as
it is offline.

**The examples.** Each message has an example, all of them one case's conversation. A reply's example may
be copied: the reply's `x-from-request` names the fields it takes from the request it answers (JSON
pointers, the reply's field to the request's: the case number, and `causation_id` the request's
message_id), and `x-on-sending` those the partner sets as it sends it (a new message_id, and occurred_at).

**The case.** A request opens a case (`reason`: repair, replacement, vendor_visit or technical_question).
Each reply is a step: `acknowledged` (the case is acknowledged), `visit_scheduled`, `visited`, `diagnosis`
(a note: the case stays where it is), `rma_issued` (the device is in repair under the RMA),
`replacement_shipped` (the case waits for the engineer to install the replacement, which ends it),
`repaired` (the case ends, fixed) and `declined` (the case ends, declined, with the reason). A partner
cannot close a case otherwise; Aftercare may cancel it (`vendor.escalation_cancelled`): stop work on it,
and replies for it are refused from then on.
A reply's type must be its routing key's step. The partner's clocks (to acknowledge, to be on site, to
repair) stop when Aftercare receives the step, not at the time a reply states; `occurred_at` is when the
partner sent the reply, at most 5 minutes ahead of Aftercare's clock. Replies are taken concurrently:
one sent before a step Aftercare has already taken is kept as late and moves the case only to end it.

**Refusals.** A refused reply is dead-lettered on Aftercare's side and explained on the partner's error
queue (`vendor.reply_refused`, with the reason and the refused reply's message_id and correlation_id,
both taken from its AMQP properties: without them the refusal can only say `unknown`); fix it and send
it again under a new message_id. The reasons: `invalid_envelope` (not a JSON envelope), `unknown_type`,
`unsupported_schema_version` (a schema_version this release has no handler for), `invalid_payload` (the
payload breaks its schema; the detail names the field), `invalid_data` (it fits its schema but not what
Aftercare can store), `too_large`, `retries_exhausted` (Aftercare could not take it after its retries;
its operators see it), `unauthenticated` (no or another user_id), `wrong_routing_key`,
`type_and_key_differ`, `occurred_in_the_future`, `partner_disabled`, `unknown_case`, `not_your_case`,
`impossible_step` (the case is past that step, ended or cancelled).

In a request, `device.vendor_code` is the maker's code in the site's register, which may differ from the
partner the request went to (a distributor repairing for the maker).
"""

_HOST = {"host": {"description": "The host the integrator gives the partner."}}
SERVERS = {
    "aftercare": {
        "host": "{host}:5671",
        "protocol": "amqps",
        "pathname": "/aftercare",
        "description": "The integrator's broker, with TLS; the virtual host is `aftercare`.",
        "variables": _HOST,
    },
    "aftercare-without-tls": {
        "host": "{host}:5672",
        "protocol": "amqp",
        "pathname": "/aftercare",
        "description": "The same broker without TLS, where the integrator offers no TLS.",
        "variables": _HOST,
    },
}

ENVELOPE_FIELDS = {
    "type": "The message's type, e.g. vendor.reply.repaired: not the routing key.",
    "producer": "`vendor` on Aftercare's messages; on a reply, the partner's broker user, partner-{code}.",
    "correlation_id": "A request's or cancellation's case number; on a reply, the case number; on a refusal, the "
    "refused reply's AMQP correlation_id property (or its message_id property; `unknown` without either).",
    "occurred_at": "When the message was sent (UTC); a reply's may be at most 5 minutes ahead of Aftercare's clock.",
}


AMQP_PROPERTIES = {
    "user_id": broker_user("{code}"),
    "message_id": "$message.payload#/message_id",
    "correlation_id": "$message.payload#/correlation_id",
    "type": "$message.payload#/type",
    "content_type": "application/json",
    "delivery_mode": 2,
}
"""The AMQP properties of a reply: a value, or where in the message it is (an AsyncAPI runtime expression)."""

PARTNER_MESSAGES: tuple[type[Contract], ...] = (EscalationRequest, EscalationCancelled, ReplyRefused, *REPLIES)


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    example = examples()
    for contract in PARTNER_MESSAGES:
        messages[_name(contract)] = _message(contract, schemas, example[contract])
    return {
        "asyncapi": "3.0.0",
        "info": {"title": TITLE, "version": f"{ENVELOPE_SCHEMA_VERSION}.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": SERVERS,
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
                    "step": {
                        "enum": [step.value for step in Step],
                        "description": "The reply's step; it must be the step of the message's type.",
                    },
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
                "x-amqp-properties": AMQP_PROPERTIES,
            },
        },
        "components": {"messages": messages, "schemas": schemas},
    }


class _Dumper(yaml.SafeDumper):
    """Long descriptions as literal blocks, as a person would write them; a value used twice written out
    twice (no YAML anchors for a reader to follow)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def render() -> str:
    return yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _name(contract: type[Contract]) -> str:
    return contract.__name__


def _message(contract: type[Contract], schemas: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    envelope = Envelope[contract].model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[valid-type]
    for model, schema in envelope.pop("$defs", {}).items():
        schemas.setdefault(model, schema)
    name = _name(contract)
    envelope["title"] = f"{name} envelope"
    envelope["properties"]["type"]["const"] = contract.message_type
    for field, description in ENVELOPE_FIELDS.items():
        envelope["properties"][field]["description"] = description
    envelope["properties"]["schema_version"]["const"] = contract.schema_version
    return {
        "name": name,
        "title": contract.message_type,
        "summary": _summary(contract),
        "contentType": "application/json",
        "payload": json.loads(json.dumps(envelope)),
        "bindings": {"amqp": {"messageType": contract.message_type, "bindingVersion": "0.3.0"}},
        "examples": [json.loads(json.dumps(example))],
        **_reply_extensions(contract),
    }


def _reply_extensions(contract: type[Contract]) -> dict[str, Any]:
    """How a partner sends a reply: its routing key, and how it fills in the example (nothing for the
    messages it receives)."""
    step = next((step for reply, step in STEP_OF_REPLY.items() if reply is contract), None)
    if step is None:
        return {}
    return {"x-routing-key": f"{{code}}.{step.value}", "x-from-request": FROM_REQUEST, "x-on-sending": ON_SENDING}


def _summary(contract: type[Contract]) -> str:
    """The first sentence of the contract's docstring; its type when it has none."""
    words = " ".join((contract.__doc__ or "").split())
    return words.split(". ")[0].rstrip(".") + "." if words else contract.message_type
