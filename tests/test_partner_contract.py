"""The vendor partners' AsyncAPI document is the contracts and topology, written out: the committed one
is the one they give now, and it describes every message a partner gets or sends."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import yaml

from services.vendor.domain.cases import STEP_OF_REPLY, Step
from services.vendor.partner_contract import PARTNER_MESSAGES, render
from services.vendor.partner_topology import REPLIES_EXCHANGE, REQUESTS_EXCHANGE
from shared.contracts.partners import REPLIES
from testkit.machine import REPOSITORY

DOCUMENT = REPOSITORY / "docs" / "partners" / "asyncapi.yaml"


def test_the_committed_document_is_the_one_the_contracts_give() -> None:
    assert DOCUMENT.read_text() == render(), (
        "docs/partners/asyncapi.yaml is stale: run `uv run aftercare partners contract --output docs/partners/asyncapi.yaml`"
    )


def test_the_document_names_every_partner_message_with_its_type() -> None:
    document = yaml.safe_load(Path(DOCUMENT).read_text())
    messages = document["components"]["messages"]
    for contract in PARTNER_MESSAGES:
        message = messages[contract.__name__]
        assert message["payload"]["properties"]["type"]["const"] == contract.message_type
        payload_ref = message["payload"]["properties"]["payload"]["$ref"]
        assert payload_ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]
    assert set(document["channels"]["replies"]["messages"]) == {reply.__name__ for reply in REPLIES}
    assert document["operations"]["sendReplies"]["action"] == "send"


def test_the_document_says_what_the_service_does() -> None:
    """The places a partner's developer was misled before: the exchanges, the steps a partner may send, the
    server, what `type`, `producer` and `correlation_id` hold, the limits and every refusal reason."""
    document = yaml.safe_load(Path(DOCUMENT).read_text())
    description = document["info"]["description"]
    for name in (REQUESTS_EXCHANGE, REPLIES_EXCHANGE, "1 MiB", "10 connections", "30 channels"):
        assert name in description, name
    step = document["channels"]["replies"]["parameters"]["step"]
    assert step["enum"] == [s.value for s in Step] == sorted(STEP_OF_REPLY.values(), key=list(Step).index)
    for reply, its_step in STEP_OF_REPLY.items():
        assert f"`{its_step.value}`" in description, f"what {reply.message_type} does to a case"
    assert document["servers"]["aftercare"]["pathname"] == "/aftercare"
    envelope = document["components"]["messages"]["Repaired"]["payload"]["properties"]
    assert "not the routing key" in envelope["type"]["description"]
    assert "partner-{code}" in envelope["producer"]["description"]
    assert "refusal" in envelope["correlation_id"]["description"]
    reasons = set(re.findall(r'(?:PermanentFailure|_DeadLetter)\("([a-z_]+)"', _sources()))
    reasons -= {"forged_producer", "retries_exhausted", "invalid_data"}  # events' and faults' alone, not replies'
    assert reasons, "the reasons are read from the code; none found means the pattern broke"
    for reason in reasons:
        assert f"`{reason}`" in description, f"the refusal reason {reason} is not explained"


def _sources() -> str:
    files = ("services/vendor/replies.py", "shared/messaging/consumer.py")
    return "".join((REPOSITORY / name).read_text() for name in files)


def test_every_example_passes_its_own_schema_and_a_reply_says_how_to_fill_it_in() -> None:
    document = yaml.safe_load(Path(DOCUMENT).read_text())
    request = document["components"]["messages"]["EscalationRequest"]["examples"][0]["payload"]
    for name, message in document["components"]["messages"].items():
        schema = {**message["payload"], "components": document["components"]}
        [example] = message["examples"]
        jsonschema.Draft7Validator(schema).validate(example["payload"])
        if name in document["channels"]["replies"]["messages"]:
            assert (
                message["x-routing-key"].removeprefix("{code}.")
                in document["channels"]["replies"]["parameters"]["step"]["enum"]
            )
            for field, of_request in message["x-from-request"].items():
                assert _at(example["payload"], field) == _at(request, of_request), (name, field)
            assert set(message["x-on-sending"]) <= set(map("/{}".format, example["payload"])), name


def _at(document: dict[str, object], pointer: str) -> object:
    found: object = document
    for key in pointer.removeprefix("/").split("/"):
        assert isinstance(found, dict), pointer
        found = found[key]
    return found
