"""Pages in the person's language: Chinese by default for this customer, English on request. The
templates say everything in English through `_()`; `locales/zh/LC_MESSAGES/messages.po` holds the
Chinese, read with Babel when the process starts."""

from __future__ import annotations

import functools
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console.web.names import names_of
from services.console.web.refusals import refusal_words
from services.console.web.said import Sayer
from services.console.web.sessions import WebSession, settings_of
from services.console.web.words import N_ as N_  # re-exported: pages mark their words with it

HERE = Path(__file__).parent
LOCALES = HERE / "locales"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "aftercare_lang"

templates = Jinja2Templates(directory=HERE / "templates")


LABELS = {
    "fault": N_("Fault"),
    "warranty_repair": N_("Warranty repair"),
    "technical_support": N_("Technical support"),
    "complaint": N_("Complaint"),
    "consultation": N_("Consultation"),
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "critical": N_("Critical"),
    "hotline": N_("Hotline"),
    "email": N_("Email"),
    "on_site": N_("On site"),
    "inspection": N_("Inspection"),
    "portal": N_("The customer's own request"),
    "new": N_("New"),
    "awaiting_assignment": N_("Awaiting assignment"),
    "with_quality_desk": N_("With the quality desk"),
    "assigned": N_("Assigned"),
    "accepted": N_("Accepted"),
    "paused": N_("Paused"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "response": N_("Response"),
    "resolution": N_("Resolution"),
    "draft": N_("Awaiting signatures"),
    "locked": N_("Signed and locked"),
    "integrator": N_("Integrator"),
    "customer": N_("Customer"),
    "satisfied": N_("Satisfied: ticket closed"),
    "dissatisfied": N_("Dissatisfied: ticket reopened, case opened at the quality desk"),
    "unreached": N_("Not reached after the last attempt: ticket closed"),
    "try_again": N_("Not reached: call again"),
    "open": N_("Open"),
    "escalated": N_("Reported up"),
    "answered": N_("Answered"),
    "medium": N_("Medium"),
    "low_follow_up_score": N_("Low follow-up score"),
    "low_review_score": N_("Low review score"),
    "general_manager": N_("General manager"),
    "service_manager": N_("Service manager"),
    "no_position": N_("no position from the phone"),
    "position_too_vague": N_("position too vague"),
    "too_far": N_("far from the site"),
    "monthly": N_("Monthly register"),
    "quarterly": N_("Quarterly register"),
    "taken_off": N_("Reassigned to someone else"),
    "sla_warning": N_("Deadline warning"),
    "sla_breached": N_("Deadline breached"),
    "vendor_breached": N_("Vendor deadline breached"),
    "follow_up_due": N_("Follow-up due"),
    "follow_up_missed": N_("Follow-up missed"),
    "low_satisfaction": N_("Low satisfaction"),
    "webhook_paused": N_("Your system paused"),
    "follow_up_asked": N_("Your opinion asked"),
    "customer_commented": N_("The customer wrote"),
    "merged": N_("Merged into another ticket"),
    "paged": N_("Paged: nobody accepted in time"),
    "mail_flood": N_("Too many mails from one sender"),
    "mail_opened": N_("A ticket opened"),
    "mail_joined": N_("Joined an open ticket"),
    "mail_noted": N_("The customer's comment"),
    "mail_grouped": N_("Grouped onto the sender's ticket"),
    "mail_throttled": N_("Held back"),
    "mail_unmatched": N_("Waiting for the operator"),
    "mail_ignored": N_("Kept, not answered"),
    "mail_dismissed": N_("Set aside"),
    "mail_why_address": N_("the sender is known at the site"),
    "mail_why_domain": N_("the sender's domain is the site's"),
    "mail_why_subject": N_("the subject names the site or the ticket"),
    "mail_why_reference": N_("a reply to our mail about the ticket"),
    "mail_why_operator": N_("placed by the operator"),
    "mail_why_repeat": N_("the same problem reported again"),
    "mail_why_request_id": N_("the same mail again"),
    "mail_why_flood": N_("too many mails from one sender within an hour"),
    "mail_why_unknown_sender": N_("an unknown sender, no site code in the subject"),
    "mail_why_several_sites": N_("the sender could be of several sites"),
    "mail_why_conflicting_sites": N_("the subject names another site than the sender's"),
    "mail_why_no_subsystem": N_("the words name no system, or several"),
    "mail_why_ticket_named_by_stranger": N_("names a ticket, from a sender its site does not know"),
    "mail_why_our_own": N_("sent by the hotline itself"),
    "mail_why_sender_unverified": N_("the sender may be forged (its envelope is of another domain)"),
    "mail_why_no_sender": N_("no sender"),
    "mail_why_bad_sender": N_("the sender's address could not be read"),
    "mail_why_auto_submitted": N_("sent by a machine (an automatic reply)"),
    "mail_why_bounce": N_("a delivery failure report"),
    "mail_why_auto_reply": N_("an automatic reply (out of office)"),
    "mail_why_read_receipt": N_("a read receipt"),
    "mail_why_mailing_list": N_("from a mailing list"),
    "mail_why_bulk": N_("bulk mail"),
    "attachment_too_big": N_("too big: not kept"),
    "attachment_too_many": N_("too many attachments: not kept"),
    "attachment_unreadable": N_("unreadable: not kept"),
    "attachment_too_many_photos": N_("more photos than a mail keeps: not kept"),
    "attachment_too_big_together": N_("too big with the mail's other files: not kept"),
    "did_comment": N_("The customer wrote"),
    "device_created": N_("Entered in the register"),
    "device_updated": N_("Changed in the register"),
    "device_retired": N_("Taken out of service"),
    "device_imported": N_("Imported into the register"),
    "device_swapped": N_("Swapped for another unit"),
    "robot": N_("Group robot"),
    "sms": N_("Text message"),
    "wecom": N_("WeCom message"),
    "delivery_delivered": N_("delivered"),
    "delivery_not_delivered": N_("not delivered"),
    "delivery_waiting": N_("awaiting its receipt"),
    "delivery_unknown": N_("no receipt came"),
    "pending": N_("Waiting"),
    "sent": N_("Sent"),
    "svc_intake": N_("Requests (intake)"),
    "svc_dispatch": N_("Dispatch"),
    "svc_sla": N_("Service levels"),
    "svc_vendor": N_("Vendor partners"),
    "svc_archive": N_("Archive"),
    "svc_webhooks": N_("Your systems (webhooks)"),
    "svc_notify": N_("Notifications"),
    "sending": N_("Sending"),
    "failed": N_("Not sent"),
    "risk_breached": N_("Missed"),
    "risk_at_risk": N_("At risk"),
    "risk_watch": N_("Half the time gone"),
    "risk_calm": N_("In good time"),
    "risk_no_clock": N_("No clock running"),
    "vendor_acknowledge": N_("Vendor's acknowledgement"),
    "vendor_on_site": N_("Vendor on site"),
    "vendor_repair": N_("Vendor's repair"),
    "vendor_replacement": N_("Vendor's replacement"),
    "photo_before": N_("before"),
    "photo_after": N_("after"),
    "photo_label": N_("nameplate"),
    "photo_from_customer": N_("as reported"),
    "check_passed": N_("Passed"),
    "check_failed": N_("Failed"),
    "check_not_applicable": N_("Not applicable"),
    "doc_REC": N_("Service request record"),
    "doc_DSP": N_("Dispatch order"),
    "doc_RPT": N_("On-site service report"),
    "doc_FUP": N_("Follow-up record"),
    "doc_CMP": N_("Complaint handling record"),
    "doc_VND": N_("Vendor letter or RMA record"),
    "doc_INS": N_("Inspection report"),
    "doc_REG": N_("Register"),
    "doc_CFM": N_("Confirmation"),
    "doc_PLN": N_("Plan"),
    "duty_on_shift": N_("on shift"),
    "duty_on_call": N_("on call"),
    "duty_off": N_("off duty"),
    "duty_on_leave": N_("on leave"),
    "clock_met": N_("Kept"),
    "clock_breached": N_("Missed"),
    "clock_cancelled": N_("No longer counted"),
    "clock_stopped": N_("Stopped"),
    "clock_running": N_("Running"),
    "clock_paused": N_("Paused"),
    "waiting_for_parts": N_("Waiting for parts"),
    "waiting_for_customer": N_("Waiting for the customer"),
    "waiting_for_vendor": N_("Waiting for the vendor"),
    "role_operator": N_("Operator"),
    "role_manager": N_("Service manager"),
    "role_engineer": N_("Engineer"),
    "role_quality": N_("Quality desk"),
    "role_customer": N_("Customer representative"),
    "role_admin": N_("Administrator"),
    "did_assign": N_("Assigned to an engineer"),
    "did_route": N_("Sent to the quality desk"),
    "did_await": N_("Nobody free to take it"),
    "did_at_risk": N_("Response at risk"),
    "did_paged": N_("Paged"),
    "did_reclassify": N_("Kind or priority changed"),
    "did_escalate": N_("Escalated to the vendor"),
    "did_vendor_case_ended": N_("Vendor case ended"),
    "did_swap_device": N_("Device swapped"),
    "did_accept": N_("Accepted the ticket"),
    "did_arrive": N_("Arrived on site"),
    "did_pause": N_("Work paused"),
    "did_resume": N_("Work resumed"),
    "did_resolve": N_("Work done"),
    "did_reopen": N_("Ticket reopened"),
    "did_close": N_("Ticket closed"),
    "did_note": N_("Internal note"),
    "did_note_for_customer": N_("Note for the customer"),
    "did_about": N_("Linked to the job it is about"),
    "did_complained_of": N_("A complaint names this job"),
    "did_merged_into": N_("Merged into the open ticket"),
    "did_joined_by": N_("A repeat report joined"),
    "link_about": N_("Complaint about"),
    "link_complained_of": N_("Complained of in"),
    "link_merged_into": N_("Merged into"),
    "link_joined_by": N_("Repeat report joined"),
    "by_response": N_("Accept by %(time)s"),
    "by_on_site": N_("On site by %(time)s"),
    "by_resolution": N_("Resolve by %(time)s"),
    "phone_note": N_("Note"),
    "phone_results": N_("Inspection results"),
    "phone_escalate": N_("Escalated to the vendor"),
    "phone_swap": N_("Device swapped"),
}
"""The words for the codes the services answer with (kinds, priorities, statuses, clocks)."""


@functools.cache
def translations(language: str) -> NullTranslations:
    """The catalogue of a language, compiled in memory from its .po file; English needs none."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def page(
    request: Request, template: str, session: WebSession | None = None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page (or an htmx fragment) in the person's language."""
    language = language_of(request)
    gettext = translations(language).gettext
    zone = ZoneInfo(settings_of(request).timezone)
    names = names_of(request.app.state)

    def label(code: str) -> str:
        return gettext(LABELS[code]) if code in LABELS else code

    return templates.TemplateResponse(
        request,
        template,
        {
            "_": gettext,
            "label": label,
            "said": Sayer(gettext, language, names.subsystem, label),
            "subsystem": lambda code, site=None: names.subsystem(code, site, language),
            "site_name": lambda code: names.site(code, language),
            "refusal_of": refusal_words(language, gettext),
            "language": language,
            "languages": LANGUAGES,
            "session": session,
            "local": lambda moment: local_time(moment, zone),
            **context,
        },
        status_code=status_code,
    )


def local_time(moment: str | datetime | None, zone: ZoneInfo) -> str:
    """A moment as people on site read it: their clock, to the minute."""
    if moment is None or moment == "":
        return ""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
