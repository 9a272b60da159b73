"""Raw mails (bytes) as each client sends them to the hotline's mailbox: `build_mail` with every option, and
one builder per client (Outlook, Foxmail/QQ Mail/Exmail, iPhone, NetEase, Alibaba Mail, a forwarded WeChat
chat), and the machines' mail the hotline must never answer (auto-replies, bounces, lists, receipts).

Defaults are one customer (张三 at customer.example) writing to the integrator's service mailbox about a
UPS alarm; every builder takes the sender, subject, words, quoted mail, date and Message-ID to vary them.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from testkit.mail_mime import CRLF, File, address, body, encoded_words, file_part, header_text, message, text_part
from testkit.mail_mime import multipart as multipart_of
from testkit.mail_shapes import (
    Quoted,
    alimail_quote,
    foxmail_quote,
    iphone_quote,
    jpeg,
    netease_quote,
    outlook_quote,
    pdf,
    png,
    signature_html,
)

CUSTOMER = ("张三", "zhangsan@customer.example")
SERVICE = "service@integrator.example"
DATE = "Mon, 07 Dec 2026 14:35:12 +0800"
ACKNOWLEDGEMENT = Quoted()  # the mail a reply answers, by default
WORDS = "你好，3号楼机房的UPS一直在报警，电池指示灯闪红灯，麻烦尽快派人来看一下。"


def build_mail(
    *,
    sender: tuple[str, str] = CUSTOMER,
    to: Sequence[str] = (SERVICE,),
    cc: Sequence[str] = (),
    subject: str = "机房UPS报警",
    words: str = WORDS,
    plain: str | None = None,
    html: str | None = None,
    html_only: bool = False,
    charset: str = "utf-8",
    transfer: str = "base64",
    header_encoding: str = "B",
    quoted_names: bool = False,
    split_mid_character: bool = False,
    date: str | None = DATE,
    message_id: str | None = "<20261207143512.A1B2C3@customer.example>",
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    files: Sequence[File] = (),
    return_path: str | None = None,
    headers: Sequence[tuple[str, str | None]] = (),
    content: bytes | None = None,
) -> bytes:
    """A mail with these parts. `charset` is the label written (gb2312/gbk/gb18030/big5/utf-8; GB labels
    carry GB18030 bytes), `transfer` base64, quoted-printable or 8bit, `header_encoding` B, Q or 8bit
    (raw bytes, as some offices' servers send); `content` replaces the body (its Content-* headers first)."""
    if html_only and html is None:
        html = "<html><body>" + "".join(f"<div>{escape(line)}</div>" for line in words.split("\n")) + "</body></html>"
    text = None if html_only else (plain if plain is not None else words)
    if split_mid_character:
        shown_subject = encoded_words(subject, charset, encoding=header_encoding, split_mid_character=True)
    else:
        shown_subject = header_text(subject, charset, header_encoding)
    listed = [
        ("Return-Path", return_path),
        ("From", address(*sender, charset, header_encoding, quoted=quoted_names)),
        ("To", ", ".join(to)),
        ("Cc", ", ".join(cc) or None),
        ("Subject", shown_subject),
        ("Date", date),
        ("Message-ID", message_id),
        ("In-Reply-To", in_reply_to),
        ("References", (CRLF + " ").join(references) or None),
        *headers,
    ]
    return message(listed, content or body(plain=text, html=html, label=charset, transfer=transfer, files=files))


def _reply_ids(quoted: Quoted | None) -> dict[str, Any]:
    if quoted is None:
        return {}
    ticket_mail = "<ack-HH138-20261207-0001@integrator.example>"
    return {"in_reply_to": ticket_mail, "references": ["<20261207140012.X9@customer.example>", ticket_mail]}


def outlook_mail(
    *,
    sender: tuple[str, str] = CUSTOMER,
    subject: str | None = None,
    words: str = WORDS,
    quoted: Quoted | None = ACKNOWLEDGEMENT,
    english: bool = False,
    logo: bool = True,
    with_html: bool = True,
    files: Sequence[File] = (),
    **options: Any,
) -> bytes:
    """Outlook 2016 zh-CN: gb2312 base64 alternative parts, Word's HTML, "答复:" replies, the company logo
    (a small PNG) inline in the signature, which Outlook marks in no way; plain text only (its separator
    line first) without `with_html`."""
    subject = subject or (f"{'RE' if english else '答复'}: {quoted.subject}" if quoted else "机房UPS报警")
    name = sender[0]
    plain_quote, html_quote = outlook_quote(quoted, english=english) if quoted else ("", "")
    signature = f"{name}\n技术部 | 电话 021-6888 0000"
    cid = "image001.png@01DB4C2A.5F3E8A10"
    paragraphs = "".join(f'<p class="MsoNormal">{escape(line)}<o:p></o:p></p>' for line in words.split("\n"))
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=gb2312"><style><!-- p.MsoNormal {margin:0cm; font-size:10.5pt;} --></style>'
        f'</head><body lang="ZH-CN"><div class="WordSection1">{paragraphs}<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        f"{signature_html(name, logo_cid=cid if logo else None)}{html_quote}</div></body></html>"
    )
    logo_file = (
        [File("image001.png", "image/png", png(), content_id=cid, disposition="inline")] if logo and with_html else []
    )
    headers = [
        ("X-Mailer", "Microsoft Outlook 16.0"),
        ("Thread-Index", "AQHbSCpfPj6KEN0BAAAA"),
        ("Content-Language", "zh-cn"),
    ]
    return build_mail(
        sender=sender, subject=subject, plain=f"{words}\n\n{signature}\n\n{plain_quote}",
        html=html if with_html else None, charset="gb2312", files=[*logo_file, *files], headers=headers,
        **{**_reply_ids(quoted), **options},
    )  # fmt: skip


def foxmail_mail(
    *,
    sender: tuple[str, str] = CUSTOMER,
    subject: str | None = None,
    words: str = WORDS,
    quoted: Quoted | None = ACKNOWLEDGEMENT,
    english: bool = False,
    mailer: str = "foxmail",
    files: Sequence[File] = (),
    **options: Any,
) -> bytes:
    """Foxmail 7.2 (GB2312 label), QQ Mail and Tencent Exmail (GB18030): base64, display names as encoded
    words inside quotes, "回复：" replies, the signature under a short rule, the quote in <includetail>."""
    subject = subject or (f"回复：{quoted.subject}" if quoted else "机房UPS报警")
    label = "GB2312" if mailer == "foxmail" else "GB18030"
    plain_quote, html_quote = foxmail_quote(quoted, english=english) if quoted else ("", "")
    signature = (
        '<div><br></div><hr style="width: 210px; height: 1px;" color="#b5c4df" size="1" align="left">'
        f'<div><span><div style="MARGIN: 10px; FONT-FAMILY: verdana; FONT-SIZE: 10pt"><div>{escape(sender[0])}'
        "</div></div></span></div>"
    )
    html = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'
        + "".join(f"<div>{escape(line)}</div>" for line in words.split("\n"))
        + signature
        + html_quote
    )
    headers = {
        "foxmail": [("X-Mailer", "Foxmail 7.2.25.331[cn]")],
        "qq": [("X-QQ-Mailer", "QQMail 2.x"), ("X-QQ-mid", "xmsezb5-0t1733553312t8uz5nn6f")],
        "exmail": [("X-QQ-Mailer", "QQMail 2.x"), ("X-QQ-SENDSIZE", "520"), ("X-QQ-Bgrelay", "1")],
    }[mailer]
    return build_mail(
        sender=sender, subject=subject, plain=f"{words}\n\n\n\n{sender[0]}\n\n\n{plain_quote}", html=html,
        charset=label, quoted_names=True, files=files, headers=headers, **{**_reply_ids(quoted), **options},
    )  # fmt: skip


def iphone_mail(
    *,
    sender: tuple[str, str] = CUSTOMER,
    subject: str | None = None,
    words: str = WORDS,
    quoted: Quoted | None = ACKNOWLEDGEMENT,
    english: bool = False,
    photos: Sequence[bytes] = (),
    **options: Any,
) -> bytes:
    """iPhone Mail: UTF-8 quoted-printable plain text; photos inline between the words and the rest (the
    "发自我的iPhone" signature and the quote), as Apple Mail lays them out in multipart/mixed."""
    subject = subject or (f"{'Re' if english else '回复'}: {quoted.subject}" if quoted else "机房UPS报警")
    device = "Sent from my iPhone" if english else "发自我的iPhone"
    rest = f"\n\n{device}\n\n" + (iphone_quote(quoted, english=english) if quoted else "")
    headers = [("X-Mailer", "iPhone Mail (22B91)")]
    if not photos:
        return build_mail(
            sender=sender, subject=subject, plain=words + rest, charset="utf-8", transfer="quoted-printable",
            headers=headers, **{**_reply_ids(quoted), **options},
        )  # fmt: skip
    parts = [text_part(words, "plain", "utf-8", "quoted-printable")]
    for number, photo in enumerate(photos, start=1):
        name = f"IMG_{4000 + number}.{'HEIC' if photo[4:12] == b'ftypheic' else 'jpeg'}"
        kind = "image/heic" if name.endswith("HEIC") else "image/jpeg"
        parts.append(file_part(File(name, kind, photo, disposition="inline")))
    parts.append(text_part(rest, "plain", "utf-8", "quoted-printable"))
    content = multipart_of("mixed", parts, "Apple-Mail-8E2D5C1A-4B7F-4C11-9D3E-2F6A0B1C7D90")
    return build_mail(
        sender=sender,
        subject=subject,
        headers=headers,
        content=content,
        **{**_reply_ids(quoted), **options},
    )


def netease_mail(
    *, sender: tuple[str, str] = ("张三", "zhangsan@163.com"), subject: str | None = None, words: str = WORDS,
    quoted: Quoted | None = ACKNOWLEDGEMENT, files: Sequence[File] = (), **options: Any,
) -> bytes:  # fmt: skip
    """NetEase 163/126 web mail (Coremail): GBK base64, the quote in blockquote#isReplyContent."""
    subject = subject or (f"Re:{quoted.subject}" if quoted else "机房UPS报警")
    plain_quote, html_quote = netease_quote(quoted) if quoted else ("", "")
    html = (
        '<div style="line-height:1.7;color:#000000;font-size:14px;font-family:Arial">'
        + "".join(f"<div>{escape(line)}</div>" for line in words.split("\n"))
        + f'{html_quote}</div><br><br><span title="neteasefooter"><p>&nbsp;</p></span>'
    )
    headers = [
        ("X-Mailer", "Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15) Copyright (c) 2002-2026"),
        ("X-Coremail-Locale", "zh_CN"),
        ("X-CM-TRANSID", "_____wD3n5nQ5VRn8Q1AAA--.52019S2"),
    ]  # fmt: skip
    options.setdefault("message_id", "<3f5a1c.6b7e.18c3a9f2d4e.Coremail.zhangsan@163.com>")
    return build_mail(
        sender=sender, subject=subject, plain=f"{words}\n\n\n{plain_quote}", html=html, charset="GBK",
        files=files, headers=headers, **{**_reply_ids(quoted), **options},
    )  # fmt: skip


def alimail_mail(
    *, subject: str | None = None, words: str = WORDS, quoted: Quoted | None = ACKNOWLEDGEMENT, **options: Any
) -> bytes:
    """Alibaba Mail: UTF-8, its 发件人：/发送时间：/主　题： block under a long rule."""
    subject = subject or (f"回复：{quoted.subject}" if quoted else "机房UPS报警")
    plain_quote, html_quote = alimail_quote(quoted) if quoted else ("", "")
    html = "".join(f"<div>{escape(line)}</div>" for line in words.split("\n")) + "<div><br></div>" + html_quote
    return build_mail(
        subject=subject, plain=f"{words}\n\n{plain_quote}", html=html, **{**_reply_ids(quoted), **options}
    )


def wechat_forward(
    *,
    sender: tuple[str, str] = CUSTOMER,
    chat: Sequence[tuple[str, str, str]] = (
        ("李工", "13:58", "3号楼机房UPS在叫，面板显示电池故障"),
        ("张三", "14:01", "[图片]"),
        ("李工", "14:02", "我先把负载切到旁路了，你们尽快派人"),
    ),
    day: str = "2026-12-07",
    photos: Sequence[bytes] = (),
    **options: Any,
) -> bytes:
    """A WeChat chat forwarded by mail ("聊天记录"): the subject names the people, the body gives each
    message under its sender and time, below a dated rule; pictures come as attachments (no public copy
    found; as WeChat's mail of a chat record lays it out)."""
    people = list(dict.fromkeys(name for name, _, _ in chat))
    subject = f"{'和'.join(people[:2])}的聊天记录"
    lines = [f"{subject}如下，请查收。", "", f"—————  {day}  —————", ""]
    for name, moment, said in chat:
        lines += [f"{name}  {moment}", "", said, ""]
    files = [File(f"微信图片_{day.replace('-', '')}14{n:02d}.jpg", "image/jpeg", p) for n, p in enumerate(photos)]
    return build_mail(sender=sender, subject=subject, words="\n".join(lines), charset="GB18030", files=files, **options)


def photo(seed: int = 1, *, width: int = 320, height: int = 240) -> File:
    """A site photo (about 60 kB at the default size)."""
    return File(f"现场照片{seed}.jpg", "image/jpeg", jpeg(width, height, seed=seed))


def pdf_file(name: str = "巡检报告.pdf") -> File:
    return File(name, "application/pdf", pdf())


def big_file(size: int, name: str = "现场录像.mp4") -> File:
    """A file of `size` bytes (for the limits: compare with ReadingLimits.max_attachment_bytes)."""
    return File(name, "video/mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(max(0, size - 12)))
