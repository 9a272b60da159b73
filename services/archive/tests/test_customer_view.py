"""The archive's API as a site's customer sees it, over the real broker and database: their own kinds
of documents only (no dispatch order, follow-up record or vendor letter, not even that one exists),
the complaint record as their copy (content, search and PDF without the internal handling), and the
ticket's timeline cut to each event's customer view; the staff still see everything."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.contracts import (
    Agreement,
    ArrivalProof,
    FollowUpRecorded,
    QualityCaseAnswered,
    QualityCaseOpened,
    TicketAssigned,
    TicketOnSite,
    VendorEscalationSent,
    seal,
)
from shared.identity import Role
from shared.spreadsheets import SheetFormat, read_sheet
from testkit.broker import send_envelopes
from testkit.documents import pdf_text
from testkit.identities import bearer
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World

STAFF_ONLY = {"DSP", "FUP", "VND"}


@dataclass(frozen=True)
class Filed:
    """A ticket of a site of its own with one document of each kind below, and the words only the
    staff's part of its complaint record holds."""

    site: str
    ticket: str
    codes: dict[str, str]  # category -> the document's code
    handling_word: str
    answer_word: str
    customer: dict[str, str]  # the site's customer's headers
    staff: dict[str, str]  # the service manager's


@pytest.fixture(scope="module")
async def archive(seeded: World) -> AsyncIterator[httpx.AsyncClient]:
    async with running(seeded, "archive") as suite:
        yield suite["archive"].http


@pytest.fixture(scope="module")
async def filed(seeded: World, archive: httpx.AsyncClient) -> Filed:
    site = f"C{uuid.uuid4().hex[:6].upper()}"
    ticket = f"{site}-20261125-0001"
    handling_word, answer_word = f"handled{uuid.uuid4().hex[:8]}", f"answered{uuid.uuid4().hex[:8]}"
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # the ticket's day, 10:00 in Shanghai: all below in one year
    case_id = random.randint(10_000, 2**31 - 1)  # an id no other test uses
    events = [
        TicketAssigned(
            ticket_id=ticket, site_code=site, subsystem="bgm", engineer_id="E01", engineer_name="王磊",
            rule="manual", reason="李娜 is on leave", actor="manager", assigned_at=now,
        ),
        TicketOnSite(
            ticket_id=ticket, engineer_id="E01", arrived_at=now + timedelta(minutes=30),
            arrival=ArrivalProof(latitude=31.22, longitude=121.45, accuracy_m=12, distance_m=40, flagged=False),
        ),
        QualityCaseOpened(
            case_id=case_id, site_code=site, ticket_id=ticket, origin="complaint", severity="high",
            summary="活动前音响故障 Sound failed before an event", opened_at=now + timedelta(minutes=5),
        ),
        QualityCaseAnswered(
            case_id=case_id, site_code=site, ticket_id=ticket, origin="complaint", severity="high",
            owner="quality.desk", handling=f"现场核实并安排备机 {handling_word}", answer=f"已致歉 {answer_word}",
            escalated_to="general_manager", answered_at=now + timedelta(hours=2),
        ),
        FollowUpRecorded(
            ticket_id=ticket, site_code=site, cycle=1, attempt=1, reached=True, satisfaction=4, comments="处理及时",
            caller="liu.yang", called_at=now + timedelta(hours=3), outcome="satisfied", late=False,
        ),
        VendorEscalationSent(
            case_number=f"VC-{uuid.uuid4().hex[:6]}", escalation_id=f"{ticket}-V1", ticket_id=ticket, partner="harman",
            reason="repair", site_code=site, timezone="Asia/Shanghai", asset_tag=None, agreement_version=1,
            agreement=Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=10, replacement_days=5),
            sent_at=now + timedelta(hours=1),
        ),
    ]  # fmt: skip
    opened = opened_envelope(ticket, site_code=site, site_name="Customer view plaza", reported_at=now)
    await send_envelopes(
        seeded.amqp_url, [opened, *(seal(e, producer="dispatch", correlation_id=ticket) for e in events)]
    )

    async def all_filed() -> dict[str, str]:
        listed = (await archive.get("/documents", params={"ticket_id": ticket})).json()
        codes = {document["category"]: document["code"] for document in listed}
        assert set(codes) == {"REC", "DSP", "CMP", "FUP", "VND"}, codes
        return codes

    async def all_kept() -> bool:  # the archive keeps its own announcements in the timeline too
        rows = (await archive.get(f"/tickets/{ticket}/timeline")).json()
        return sum(row["type"] == "document.archived" for row in rows) == 5

    codes = await eventually(all_filed, timeout=30)
    await eventually(all_kept, timeout=30)
    return Filed(
        site=site,
        ticket=ticket,
        codes=codes,
        handling_word=handling_word,
        answer_word=answer_word,
        customer=bearer("xu.jing", Role.CUSTOMER, site_code=site),
        staff=bearer("zhao.min", Role.MANAGER),
    )


async def _listed(archive: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any) -> list[dict]:
    answer = await archive.get(path, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_customer_lists_and_finds_their_kinds_of_documents_only(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    mine = {"site_code": filed.site}
    staff = await _listed(archive, filed.staff, "/documents", **mine)
    customer = await _listed(archive, filed.customer, "/documents", **mine)
    assert {d["category"] for d in staff} == {"REC", "DSP", "CMP", "FUP", "VND"}
    assert {d["category"] for d in customer} == {"REC", "CMP"}
    # Left out by the query itself: a limit counts the customer's documents only.
    assert {d["category"] for d in await _listed(archive, filed.customer, "/documents", **mine, limit=2)} == {
        "REC",
        "CMP",
    }
    assert await _listed(archive, filed.customer, "/documents", **mine, category="DSP") == []
    assert len(await _listed(archive, filed.staff, "/documents", **mine, category="DSP")) == 1

    # The engineer's name is in the dispatch order only; the customer does not find it there.
    assert {d["category"] for d in await _listed(archive, filed.staff, "/documents", **mine, q="王磊")} == {"DSP"}
    assert await _listed(archive, filed.customer, "/documents", **mine, q="王磊") == []


async def test_a_customer_finds_the_complaint_record_by_its_copys_words_not_by_its_handling(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    async def found(headers: dict[str, str], q: str) -> list[str]:
        return [d["code"] for d in await _listed(archive, headers, "/documents", site_code=filed.site, q=q)]

    record = filed.codes["CMP"]
    assert await found(filed.staff, filed.handling_word) == [record]
    assert await found(filed.staff, "general_manager") == [record]
    assert await found(filed.customer, filed.handling_word) == []
    assert await found(filed.customer, "GENERAL_MANAGER") == []  # escalated to: the staff's
    assert await found(filed.customer, "quality.desk") == []  # its owner: the staff's
    assert await found(filed.customer, filed.answer_word.upper()) == [record]  # the answer, in any case
    assert await found(filed.customer, f"音响故障 {filed.answer_word}") == [record]  # the summary and the answer
    assert await found(filed.customer, "handling record") == [record]  # its title
    assert filed.codes["REC"] in await found(filed.customer, "Customer view plaza")  # the rest searched as before


async def test_a_customers_catalogue_lists_their_kinds_of_documents_only(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    path = f"/sites/{filed.site}/catalogue"
    assert {row["category"] for row in await _listed(archive, filed.staff, path)} == {"REC", "DSP", "CMP", "FUP", "VND"}
    assert [row["category"] for row in await _listed(archive, filed.customer, path)] == ["CMP", "REC"]
    answer = await archive.get(path, params={"format": "csv"}, headers=filed.customer)
    assert answer.status_code == 200, answer.text
    _, rows = read_sheet(answer.content, SheetFormat.CSV)
    assert sorted(row[0] for row in rows) == sorted([filed.codes["CMP"], filed.codes["REC"]])


@pytest.mark.parametrize("route", ["", "/content", "/pdf"])
async def test_a_staff_document_is_to_a_customer_as_one_that_does_not_exist(
    archive: httpx.AsyncClient, filed: Filed, route: str
) -> None:
    for category in STAFF_ONLY:
        code = filed.codes[category]
        absent = code.rsplit("-", 1)[0] + "-999999"  # same site, year and kind; never filed
        hidden = await archive.get(f"/documents/{code}{route}", headers=filed.customer)
        missing = await archive.get(f"/documents/{absent}{route}", headers=filed.customer)
        assert (hidden.status_code, missing.status_code) == (404, 404), hidden.text
        assert hidden.headers["content-type"] == missing.headers["content-type"]
        assert json.loads(hidden.text.replace(code, "<code>")) == json.loads(missing.text.replace(absent, "<code>"))
        assert (await archive.get(f"/documents/{code}{route}", headers=filed.staff)).status_code == 200
        assert (
            await archive.get(f"/documents/{code}{route}", params={"version": 1}, headers=filed.customer)
        ).status_code == 404


async def test_a_customer_reads_the_complaint_record_without_its_internal_handling(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    path = f"/documents/{filed.codes['CMP']}"
    staff = (await archive.get(path, headers=filed.staff)).json()
    filed_content = json.loads(staff["content"])
    assert filed_content["owner"] == "quality.desk"  # as filed, for the staff
    assert filed.handling_word in filed_content["handling"]
    answer = await archive.get(path, headers=filed.customer)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    copy = json.loads(document["content"])
    assert not {"handling", "owner", "escalated_to"} & set(copy)
    assert {n: v for n, v in copy.items() if n != "words"} == {
        n: v for n, v in filed_content.items() if n in copy and n != "words"
    }
    assert not {"escalated_to", "origin", "severity"} & set(copy["words"])  # words for what it leaves out
    assert filed.answer_word in copy["answer"]
    assert filed.handling_word not in answer.text
    assert document["customer_copy"] is True
    assert (document["code"], document["sha256"]) == (staff["code"], staff["sha256"])  # the filed one's

    content = await archive.get(f"{path}/content", headers=filed.customer)
    assert content.status_code == 200, content.text
    assert content.headers["content-type"].startswith("application/json")
    assert json.loads(content.content) == copy
    assert filed.handling_word.encode() not in content.content
    digest = hashlib.sha256(content.content).hexdigest()
    assert content.headers["etag"] == f'"{digest}"' != f'"{staff["sha256"]}"'  # not the filed bytes' digest

    as_filed = await archive.get(f"{path}/content", headers=filed.staff)
    assert as_filed.headers["etag"] == f'"{staff["sha256"]}"'
    assert hashlib.sha256(as_filed.content).hexdigest() == staff["sha256"]  # the filed bytes, untouched


async def test_a_customer_gets_the_complaint_records_copy_as_a_pdf_without_the_handling(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    path = f"/documents/{filed.codes['CMP']}/pdf"
    staff = await archive.get(path, headers=filed.staff)
    assert staff.status_code == 200, staff.text
    staff_text = pdf_text(staff.content)
    customer = await archive.get(path, headers=filed.customer)
    assert customer.status_code == 200, customer.text
    assert customer.headers["content-type"] == "application/pdf"
    text = pdf_text(customer.content)
    for internal in (filed.handling_word, "quality.desk", "总经理", "Handling", "Escalated to"):
        assert internal in staff_text, f"the staff's PDF lacks {internal!r}, so its absence below proves nothing"
        assert internal not in text, f"the customer's PDF shows {internal!r}:\n{text}"
    for shown in ("投诉处理记录", "客户副本", filed.answer_word, "音响故障", filed.codes["CMP"]):
        assert shown in text, f"the customer's PDF lacks {shown!r}:\n{text}"
    assert customer.headers["etag"] == f'"{hashlib.sha256(customer.content).hexdigest()}"'
    assert customer.headers["etag"] != staff.headers["etag"]

    again = await archive.get(path, headers=filed.customer)
    assert again.content == customer.content  # typeset the same each time
    assert (await archive.get(path, headers=filed.staff)).content == staff.content  # the filed rendition stays


async def test_a_customer_sees_the_tickets_timeline_as_each_events_customer_view(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    path = f"/tickets/{filed.ticket}/timeline"
    staff = await _listed(archive, filed.staff, path)
    customer = await _listed(archive, filed.customer, path)

    def of_type(rows: list[dict], message_type: str) -> list[dict]:
        return [row["payload"] for row in rows if row["type"] == message_type]

    [staff_arrival] = of_type(staff, "ticket.on_site")
    [customer_arrival] = of_type(customer, "ticket.on_site")
    assert staff_arrival["arrival"]["distance_m"] == 40
    assert "arrival" not in customer_arrival
    assert customer_arrival["arrived_at"] == staff_arrival["arrived_at"]

    [staff_assigned] = of_type(staff, "ticket.assigned")
    [customer_assigned] = of_type(customer, "ticket.assigned")
    assert staff_assigned["reason"] == "李娜 is on leave"
    assert not {"reason", "actor", "rule"} & set(customer_assigned)
    assert customer_assigned["engineer_name"] == "王磊"

    [staff_answered] = of_type(staff, "quality.case_answered")
    [customer_answered] = of_type(customer, "quality.case_answered")
    assert filed.handling_word in staff_answered["handling"]
    assert not {"handling", "owner", "escalated_to"} & set(customer_answered)

    assert of_type(staff, "followup.recorded")
    assert of_type(staff, "vendor.escalation.sent")
    assert {row["type"] for row in customer} & {"followup.recorded", "vendor.escalation.sent"} == set()
    archived = {row["category"] for row in of_type(staff, "document.archived")}
    assert archived == {"REC", "DSP", "CMP", "FUP", "VND"}
    assert {row["category"] for row in of_type(customer, "document.archived")} == {"REC", "CMP"}
    assert [row["message_id"] for row in customer] == [
        row["message_id"] for row in staff if row["message_id"] in {r["message_id"] for r in customer}
    ]  # in the order they happened
