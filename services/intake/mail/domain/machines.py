"""Mail that a machine sent, which the hotline must never answer, and mail whose From may be forged (pure).

An answer to an auto-reply, a bounce or a mailing list starts a loop or spams a list; RFC 3834 says what
automatic mail carries (Auto-Submitted, a null Return-Path), RFC 3464/8098 what bounces and receipts are,
RFC 2369/2919 what lists add. Offices' auto-replies often say so only in the subject (Outlook zh-CN
"自动答复:", QQ Mail/Exmail/NetEase "自动回复:"), so the subject is looked at too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Envelope:
    """What the rules look at."""

    headers: Mapping[str, str]  # the first value of each header, by lower-cased name, decoded
    content_type: str  # of the whole mail, lower-cased (multipart/report)
    report_type: str  # its report-type parameter, lower-cased
    sender: str  # From's address, lower-cased
    return_path: str | None  # "" for the null sender <>
    subject: str


def _header(envelope: Envelope, name: str) -> str:
    return envelope.headers.get(name, "").strip().lower()


def _local_part(address: str) -> str:
    return address.split("@", 1)[0]


AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*[\[【(（]?\s*(自动回复|自动答复|自動回覆|自動回復|自动应答|auto(matic)?[\s_-]?(reply|response)|autoreply|"
    r"out of (the )?office|不在办公室|休假(通知|中|自动回复)|外出通知)",
    re.I,
)
MACHINE_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})

# (reason, rule): the first rule that holds names why the mail is automatic.
AUTOMATIC: tuple[tuple[str, Callable[[Envelope], bool]], ...] = (
    ("bounce", lambda e: e.content_type == "multipart/report" and e.report_type == "delivery-status"),
    ("read_receipt", lambda e: e.content_type == "multipart/report" and e.report_type == "disposition-notification"),
    ("bounce", lambda e: _local_part(e.sender) in MACHINE_SENDERS),
    ("bounce", lambda e: e.return_path == ""),  # RFC 5321: only notifications are sent from <>
    ("auto_submitted", lambda e: _header(e, "auto-submitted").split(";")[0].strip() not in ("", "no")),
    ("auto_reply", lambda e: any(n in e.headers and _header(e, n) != "no" for n in ("x-autoreply", "x-autorespond"))),
    ("auto_reply", lambda e: bool(AUTO_REPLY_SUBJECT.match(e.subject))),
    ("mailing_list", lambda e: "list-id" in e.headers or "list-unsubscribe" in e.headers),
    ("mailing_list", lambda e: _header(e, "precedence") == "list"),
    ("bulk", lambda e: _header(e, "precedence") in ("bulk", "junk")),
)


def automatic_reason(envelope: Envelope) -> str | None:
    """Why the mail must never be answered, or None if a person sent it."""
    return next((reason for reason, rule in AUTOMATIC if rule(envelope)), None)


_AUTH_FAILED = re.compile(r"\b(dmarc|spf)\s*=\s*fail\b", re.I)


def domain_of(address: str | None) -> str:
    return address.rsplit("@", 1)[1].strip(".") if address and "@" in address else ""


def _related(one: str, other: str) -> bool:
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def sender_verified(sender: str, return_path: str | None, authentication_results: list[str]) -> bool:
    """False when the From may be forged: the envelope sender is of another domain than From (a subdomain,
    bounce.example.com for example.com, is the same sender), or a receiving server recorded a DMARC or SPF
    failure. A pass never outweighs a mismatch: an Authentication-Results header can be forged too."""
    if any(_AUTH_FAILED.search(result) for result in authentication_results):
        return False
    envelope_domain, from_domain = domain_of(return_path), domain_of(sender)
    if not envelope_domain or not from_domain:
        return True
    return _related(envelope_domain, from_domain)
