"""The vendor partners' AsyncAPI document is the contracts and topology, written out: the committed one
is the one they give now, and it describes every message a partner gets or sends."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.vendor.partner_contract import PARTNER_MESSAGES, render
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
