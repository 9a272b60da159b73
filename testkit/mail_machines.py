"""Mail that machines send to the hotline's mailbox, which it must never answer, and forged mail: each
variant the reading recognises, built on `testkit.mails.build_mail`."""

from __future__ import annotations

from typing import Any

from testkit.mail_mime import CRLF, message, multipart, text_part
from testkit.mails import CUSTOMER, DATE, SERVICE, build_mail

# Auto-replies: RFC 3834's header, the X- headers of older responders, and offices' subjects (Outlook
# zh-CN "自动答复:", QQ Mail / Exmail / NetEase "自动回复:", English Outlook "Automatic reply:").
AUTO_REPLIES: dict[str, dict[str, Any]] = {
    "auto_submitted": {"headers": [("Auto-Submitted", "auto-replied")], "subject": "Re: 机房UPS报警"},
    "auto_generated": {"headers": [("Auto-Submitted", "auto-generated")], "subject": "系统通知"},
    "x_autoreply": {"headers": [("X-Autoreply", "yes")], "subject": "Re: 机房UPS报警"},
    "x_autorespond": {"headers": [("X-Autorespond", "机房UPS报警")], "subject": "Re: 机房UPS报警"},
    "subject_qq": {"subject": "自动回复: 机房UPS报警"},
    "subject_outlook_zh": {"subject": "自动答复: 机房UPS报警", "headers": [("X-Auto-Response-Suppress", "All")]},
    "subject_outlook_en": {"subject": "Automatic reply: 机房UPS报警"},
    "subject_out_of_office": {"subject": "Out of Office: 机房UPS报警"},
    "subject_vacation": {"subject": "【休假通知】机房UPS报警"},
}
# Mailing lists and bulk mail (RFC 2369, RFC 2919, and the old Precedence header).
LISTS: dict[str, list[tuple[str, str | None]]] = {
    "list_id": [("List-Id", "<ops.lists.customer.example>")],
    "list_unsubscribe": [("List-Unsubscribe", "<mailto:unsubscribe@news.customer.example>")],
    "precedence_list": [("Precedence", "list")],
    "precedence_bulk": [("Precedence", "bulk")],
    "precedence_junk": [("Precedence", "junk")],
}


def auto_reply(kind: str = "auto_submitted", **options: Any) -> bytes:
    settings = AUTO_REPLIES[kind]
    return build_mail(words="您好，我正在休假，12月14日返回，急事请联系李四。", **{**settings, **options})


def list_mail(kind: str = "list_id", **options: Any) -> bytes:
    return build_mail(subject="【周报】运维简讯", words="本周运维简讯……", headers=LISTS[kind], **options)


def bounce(*, original_to: str = "nobody@customer.example", kind: str = "dsn") -> bytes:
    """A non-delivery report: an RFC 3464 DSN from MAILER-DAEMON with the null sender (`dsn`), or only one
    of its marks: the MAILER-DAEMON sender (`mailer_daemon`) or the null Return-Path (`null_sender`)."""
    if kind == "mailer_daemon":
        return build_mail(sender=("Mail Delivery System", "MAILER-DAEMON@mx.customer.example"), subject="退信")
    if kind == "null_sender":
        return build_mail(sender=("系统管理员", "admin@customer.example"), subject="退信", return_path="<>")
    explanation = text_part(
        f"很抱歉，您的邮件无法投递到 {original_to}。\n550 5.1.1 User unknown", "plain", "utf-8", "base64"
    )
    status = (
        f"Content-Type: message/delivery-status{CRLF}{CRLF}Reporting-MTA: dns; mx.integrator.example{CRLF}{CRLF}"
        f"Final-Recipient: rfc822; {original_to}{CRLF}Action: failed{CRLF}Status: 5.1.1{CRLF}"
    ).encode()
    returned = (
        f"Content-Type: text/rfc822-headers{CRLF}{CRLF}From: {SERVICE}{CRLF}To: {original_to}{CRLF}"
        f"Subject: [HH138-20261207-0001] =?utf-8?B?5bel5Y2V5bey5Y+X55CG?={CRLF}"
    ).encode()
    content = multipart("report", [explanation, status, returned], "dsn-boundary-7Q", " report-type=delivery-status;")
    headers = [
        ("Return-Path", "<>"),
        ("From", "Mail Delivery System <MAILER-DAEMON@mx.integrator.example>"),
        ("To", SERVICE),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("Date", DATE),
        ("Message-ID", "<20261207143600.DSN1@mx.integrator.example>"),
        ("Auto-Submitted", "auto-replied"),
    ]
    return message(headers, content)


def read_receipt() -> bytes:
    """An RFC 8098 read receipt (Outlook's "已读: …")."""
    notice = text_part("您的邮件已被阅读。", "plain", "utf-8", "base64")
    disposition = (
        f"Content-Type: message/disposition-notification{CRLF}{CRLF}"
        f"Final-Recipient: rfc822;{CUSTOMER[1]}{CRLF}Disposition: manual-action/MDN-sent-manually; displayed{CRLF}"
    ).encode()
    content = multipart("report", [notice, disposition], "mdn-boundary", " report-type=disposition-notification;")
    return build_mail(subject="已读: [HH138-20261207-0001] 机房UPS报警", content=content)


def forged_mail(
    *,
    sender: tuple[str, str] = ("王总", "boss@customer.example"),
    return_path: str = "<boss.customer@lookalike.example>",
    authentication_results: str | None = None,
    **options: Any,
) -> bytes:
    """A known contact's From with an envelope sender elsewhere (and, optionally, the receiving server's
    Authentication-Results), as a forger or a misconfigured relay sends it."""
    headers = [("Authentication-Results", authentication_results)] if authentication_results else []
    return build_mail(sender=sender, return_path=return_path, headers=headers, **options)
