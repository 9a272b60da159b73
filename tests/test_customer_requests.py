"""The customer reports and follows up themselves, over the real broker and database: their request
comes by the channel `portal` (as ticket.opened version 2, while a hotline call stays version 1 for
readers not upgraded), their photo of the problem is kept with it, their comment reaches the engineer
holding the ticket, and when the follow-up falls due their representative is asked by e-mail with a
link to the ticket; their own answer counts as the call: a low one reopens the ticket and opens a
quality case, and nobody may answer twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.identity import Role
from testkit.broker import EventTap
from testkit.documents import signature_png
from testkit.identities import bearer
from testkit.in_process import running
from testkit.notifying import SITE
from testkit.receivers import MailServer, mail_server
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture
async def mail() -> AsyncIterator[MailServer]:
    async with mail_server() as server:
        yield server


async def test_the_customer_reports_comments_and_answers_the_follow_up_themselves(
    seeded: World, mail: MailServer, tap: EventTap
) -> None:
    # A copy of the notification tests' site: its engineers and people are this test's alone.
    site = await fresh_site(seeded, like=SITE, names=("intake", "dispatch", "notify", "archive"))
    customer = bearer(f"rep.{site.lower()}", Role.CUSTOMER, site_code=site)
    notifying = {
        "smtp_host": mail.host, "smtp_port": mail.port, "smtp_security": "none", "notice_tick_seconds": 0.2,
        "sms_provider": "testkit.receivers:RecordedSms", "console_url": "http://console.test",
    }  # fmt: skip
    async with running(seeded, "intake", "dispatch", "notify", "archive", **notifying) as suite:
        intake, dispatch, archive = suite["intake"].http, suite["dispatch"].http, suite["archive"].http
        notify = suite["notify"].http

        async def contact(username: str, **terms: object) -> None:
            answer = await notify.put(f"/contacts/{username}", json={"site_codes": [site], **terms})
            assert answer.status_code == 200, answer.text

        await contact(f"rep.{site.lower()}", name="徐静", roles=["customer"], email=f"xu@{site.lower()}.example")
        stray = f"stray.{site.lower()}"  # a customer contact kept with no site: never "every site's" customer
        kept = await notify.put(
            f"/contacts/{stray}",
            json={"name": "无项目客户", "site_codes": [], "roles": ["customer"], "email": f"{stray}@example.com"},
        )
        assert kept.status_code == 200, kept.text

        words = f"中庭背景音乐没有声音 {uuid.uuid4().hex[:6]}"
        reported = await intake.post(
            "/requests",
            json={
                "site_code": site, "subsystem": "bgm", "description": words, "channel": "hotline",
                "reporter": {"name": "徐静", "phone": "13800138000"},
                "found_at": {"visit_id": "V-1", "item_code": "level", "item_text": "forged"},
            },
            headers=customer,
        )  # fmt: skip
        assert reported.status_code == 201, reported.text
        ticket = reported.json()["ticket_id"]
        [opened] = await tap.wait_for("ticket.opened", ticket)
        assert (opened["schema_version"], opened["payload"]["channel"]) == (2, "portal")
        assert opened["payload"]["found_at"] is None  # only an inspection says which item found a fault

        other = bearer("other.rep", Role.CUSTOMER, site_code="HH138")
        photo = signature_png()
        png = {"Content-Type": "image/png"}

        async def added_once_the_archive_heard() -> bool:
            # The archive hears of the ticket a moment after intake opened it (the console's page tries again too).
            added = await archive.post(
                f"/tickets/{ticket}/photos?kind=from_customer", content=photo, headers={**customer, **png}
            )
            assert added.status_code in (201, 404), added.text
            return added.status_code == 201

        await eventually(added_once_the_archive_heard, timeout=20, what="the customer's photo kept")
        as_engineer = await archive.post(
            f"/tickets/{ticket}/photos?kind=before", content=photo, headers={**customer, **png}
        )
        assert (as_engineer.status_code, as_engineer.json()["error"]) == (403, "photo_kind")
        assert (await archive.post(f"/tickets/{ticket}/photos?kind=from_customer", content=photo,
                                   headers={**other, **png})).status_code == 403  # fmt: skip

        for width in (241, 242):  # three in all; a fourth is one too many, and a backdated one is dated now
            more = await archive.post(
                f"/tickets/{ticket}/photos?kind=from_customer&taken_at=2020-01-01T00:00:00%2B08:00",
                content=signature_png(width), headers={**customer, **png},
            )  # fmt: skip
            assert more.status_code == 201, more.text
        fourth = await archive.post(
            f"/tickets/{ticket}/photos?kind=from_customer", content=signature_png(243), headers={**customer, **png}
        )
        assert (fourth.status_code, fourth.json()["error"]) == (409, "too_many_photos")
        kept = (await archive.get(f"/tickets/{ticket}/photos", headers=customer)).json()
        assert len(kept) == 3
        assert all(photo["taken_at"] >= opened["payload"]["received_at"][:10] for photo in kept)

        async def assigned() -> str:
            answer = (await dispatch.get(f"/tickets/{ticket}")).json()
            assert answer.get("engineer_id")
            return str(answer["engineer_id"])

        holder = await eventually(assigned, timeout=30, what="the assignment")
        await contact(f"eng.{holder.lower()}", name=holder, roles=["engineer"], engineer_id=holder,
                      email=f"{holder.lower()}@{site.lower()}.example")  # fmt: skip
        written = await dispatch.post(
            f"/tickets/{ticket}/comments", json={"text": "下午两点后有人在"}, headers=customer
        )
        assert written.status_code == 201, written.text
        assert (
            await dispatch.post(f"/tickets/{ticket}/comments", json={"text": "x"}, headers=other)
        ).status_code == 403
        staff = bearer("op", Role.OPERATOR)
        assert (
            await dispatch.post(f"/tickets/{ticket}/comments", json={"text": "x"}, headers=staff)
        ).status_code == 403
        theirs = (await dispatch.get(f"/tickets/{ticket}/history", headers=customer)).json()
        assert [(h["action"], h["note"]) for h in theirs if h["action"] == "comment"] == [
            ("comment", "下午两点后有人在")
        ]
        [commented] = await eventually(lambda: _mail_to(mail, f"{holder.lower()}@{site.lower()}.example", "客户留言"), timeout=20,
                                       what="the engineer told of the comment")  # fmt: skip
        assert "下午两点后有人在" in commented.get_content()

        engineer = bearer(f"eng-{holder}", Role.ENGINEER, engineer_id=holder)
        for action, body in (("accept", {}), ("arrive", {}), ("resolve", {"summary": "功放保险丝更换"})):
            moved = await dispatch.post(f"/tickets/{ticket}/{action}", json=body, headers=engineer)
            assert moved.status_code == 200, moved.text

        async def refused_once_resolved() -> bool:
            late = await archive.post(
                f"/tickets/{ticket}/photos?kind=from_customer", content=signature_png(244), headers={**customer, **png}
            )
            return late.status_code == 409 and late.json()["error"] == "ticket_finished"

        await eventually(refused_once_resolved, what="no photo from the customer once the work is done")
        [asked] = await eventually(lambda: _mail_to(mail, f"xu@{site.lower()}.example", "请评价本次服务"), timeout=20,
                                   what="the customer asked for their opinion")  # fmt: skip
        assert f"http://console.test/tickets/{ticket}" in asked.get_content()
        assert mail.to(f"{stray}@example.com") == []

        for wrong in ({"satisfaction": 0}, {"satisfaction": 6}, {"satisfaction": 3, "reached": False}):
            refused = await dispatch.post(f"/tickets/{ticket}/follow-up/answer", json=wrong, headers=customer)
            assert refused.status_code == 422, refused.text
        answered = await dispatch.post(
            f"/tickets/{ticket}/follow-up/answer", json={"satisfaction": 2, "comments": "还是有杂音"}, headers=customer
        )
        assert answered.json() == {"ticket_id": ticket, "outcome": "dissatisfied"}
        again = await dispatch.post(f"/tickets/{ticket}/follow-up/answer", json={"satisfaction": 5}, headers=customer)
        assert (again.status_code, again.json()["error"]) == (409, "no_follow_up_due")

        assert (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "assigned"  # reopened
        [recorded] = await tap.wait_for("followup.recorded", ticket)
        assert (recorded["payload"]["answered_by"], recorded["payload"]["caller"]) == (
            "customer",
            f"rep.{site.lower()}",
        )
        calls = (await dispatch.get(f"/tickets/{ticket}/follow-up", headers=customer)).json()
        assert [(c["answered_by"], c["reached"]) for c in calls] == [("customer", True)]
        assert "satisfaction" not in calls[0]
        cases = (await dispatch.get("/quality/cases", params={"site_code": site})).json()
        assert ticket in {case["ticket_id"] for case in cases}


async def _mail_to(mail: MailServer, address: str, subject_start: str) -> list[Any]:
    return [m for m in mail.to(address) if str(m["Subject"]).startswith(subject_start)]
