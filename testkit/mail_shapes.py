"""How each mail client quotes the mail it answers and signs its own, in plain text and in HTML, and the
files people attach (photos made with Pillow, a PDF, a HEIC's first bytes).

Where each shape was seen is said beside it. Shapes marked "no public copy found" follow the client as it
is known to write them; tests that rely on them say what they rely on.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape

from PIL import Image

SHANGHAI = timezone(timedelta(hours=8))
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Quoted:
    """The mail being answered (the hotline's acknowledgement, by default), as a reply quotes it."""

    sender_name: str = "售后服务中心"
    sender_email: str = "service@integrator.example"
    to: str = "张三 <zhangsan@customer.example>"
    sent: datetime = field(default_factory=lambda: datetime(2026, 12, 7, 14, 5, tzinfo=SHANGHAI))
    subject: str = "[HH138-20261207-0001] 机房UPS报警"
    words: str = "您好，您的报修已受理，工单号 HH138-20261207-0001，工程师将在4小时内到场。"


def _zh_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _html_lines(text: str) -> str:
    return "".join(f"<div>{escape(line) or '<br>'}</div>" for line in text.split("\n"))


# Outlook (zh-CN, Microsoft Outlook 16.0): "-----邮件原件-----" and 发件人/发送时间/收件人/主题 (linux-kernel
# archive, renlei1@chinatelecom.cn, Dec 2021); English "-----Original Message-----" From/Sent/To/Subject.
# Its HTML replies put the block in a div with a top border and bold labels, without the separator line.
def outlook_quote(q: Quoted, *, english: bool = False) -> tuple[str, str]:
    if english:
        sent = q.sent.strftime("%A, %B %-d, %Y %-I:%M %p")
        labels = ("From", "Sent", "To", "Subject")
        separator = "-----Original Message-----"
    else:
        sent = f"{_zh_date(q.sent)} {q.sent:%H:%M}"
        labels = ("发件人", "发送时间", "收件人", "主题")
        separator = "-----邮件原件-----"
    values = (f"{q.sender_name} <{q.sender_email}>", sent, q.to, q.subject)
    plain = "\n".join([separator, *(f"{k}: {v}" for k, v in zip(labels, values, strict=True)), "", q.words])
    block = "<br>\n".join(f"<b>{k}:</b> {escape(v)}" for k, v in zip(labels, values, strict=True))
    html = (
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal">{block}</p></div>\n<p class="MsoNormal">{escape(q.words)}</p>'
    )
    return plain, html


# Foxmail, QQ Mail and Tencent Exmail: "------------------ 原始邮件 ------------------" and a 发件人/发送时间/
# 收件人/主题 block (linux-erofs archive, a QQ Mail reply, July 2019); QQ Mail in English keeps "&nbsp;" in
# its plain part: "------------------&nbsp;Original&nbsp;------------------", "From: &nbsp;"x"<x@y&gt;;"
# (qemu-discuss archive, Aug 2020). The HTML wraps the quote in <includetail>.
def foxmail_quote(q: Quoted, *, english: bool = False) -> tuple[str, str]:
    hour = q.sent.hour % 12 or 12
    if english:
        head = "------------------&nbsp;Original&nbsp;------------------"
        lines = [
            f'From: &nbsp;"{q.sender_name}"<{q.sender_email}&gt;;',
            f"Date: &nbsp;{q.sent:%a, %b} {q.sent.day}, {q.sent.year} {hour:02d}:{q.sent:%M %p}",
            f'To: &nbsp;"{q.to}"&gt;;',
            f"Subject: &nbsp;{q.subject}",
        ]
    else:
        head = "------------------ 原始邮件 ------------------"
        noon = "下午" if q.sent.hour >= 12 else "上午"
        lines = [
            f'发件人: "{q.sender_name}"<{q.sender_email}>;',
            f"发送时间: {_zh_date(q.sent)}(星期{WEEKDAYS[q.sent.weekday()]}) {noon}{hour}:{q.sent:%M}",
            f'收件人: "{q.to}";',
            "",
            f"主题: {q.subject}",
        ]
    plain = "\n".join([head, *lines, "", "", q.words])
    html_head = head if english else head.replace(" ", "&nbsp;")
    html = (
        '<div><includetail><div style="font:Verdana normal 14px;color:#000;">'
        f'<div style="FONT-SIZE:12px;FONT-FAMILY:Arial Narrow;padding:2px 0 2px 0;">{html_head}</div>'
        '<div style="FONT-SIZE: 12px;background:#efefef;padding:8px;">'
        + "".join(f"<div>{escape(line).replace('&amp;', '&')}</div>" for line in lines if line)
        + f"</div><div><br></div>{_html_lines(q.words)}</div></includetail></div>"
    )
    return plain, html


# iPhone Mail (zh-Hans): "在 2020年6月29日，下午5:45，Jiang Ying <jiangying8582@126.com> 写道：" and quoted
# lines with "> ", after "发自我的iPhone" (linux-ext4 archive, June 2020; a GitHub mail reply, 2022).
def iphone_quote(q: Quoted, *, english: bool = False) -> str:
    if english:
        line = (
            f"On {q.sent:%b} {q.sent.day}, {q.sent.year}, at {q.sent:%H:%M}, {q.sender_name} <{q.sender_email}> wrote:"
        )
    else:
        noon = "下午" if q.sent.hour >= 12 else "上午"
        when = f"{noon}{q.sent.hour % 12 or 12}:{q.sent:%M}"
        line = f"在 {_zh_date(q.sent)}，{when}，{q.sender_name} <{q.sender_email}> 写道："
    return "\n".join(["> " + line, ">", *(f"> {part}" for part in q.words.split("\n"))])


# NetEase 163/126 (Coremail): "在 2026-12-07 14:05:33，"x" <x@y> 写道：" then a blockquote id="isReplyContent"
# (as in the NetEase fixture of a quote-stripping library's tests: 'At 2019-07-04 11:20:38, "冯伟"
# &lt;…&gt; wrote:<br><blockquote id="isReplyContent" …>'); the plain part quotes with ">".
def netease_quote(q: Quoted) -> tuple[str, str]:
    line = f'在 {q.sent:%Y-%m-%d %H:%M:%S}，"{q.sender_name}" <{q.sender_email}> 写道：'
    plain = "\n".join([line, *(f">{part}" for part in q.words.split("\n"))])
    html = (
        f"<br><br><pre><br>{escape(line)}<br></pre>"
        '<blockquote id="isReplyContent" style="PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px 0.8ex; '
        f'BORDER-LEFT: #ccc 1px solid">{_html_lines(q.words)}</blockquote>'
    )
    return plain, html


# Alibaba Mail (阿里邮箱): a long rule, then 发件人：/发送时间：/收件人：/主　题： with full-width colons and
# a full-width space in 主　题 (no public copy found; as its web mail writes replies).
def alimail_quote(q: Quoted) -> tuple[str, str]:
    lines = [
        "-" * 66,
        f"发件人：{q.sender_name} <{q.sender_email}>",
        f"发送时间：{_zh_date(q.sent)}(星期{WEEKDAYS[q.sent.weekday()]}) {q.sent:%H:%M}",
        f"收件人：{q.to}",
        f"主　题：{q.subject}",
    ]
    plain = "\n".join([*lines, "", q.words])
    return plain, f"<div>{_html_lines(plain)}</div>"


def signature_html(name: str, *, logo_cid: str | None = None, element_id: str | None = None) -> str:
    logo = f'<img src="cid:{logo_cid}" width="120" height="40">' if logo_cid else ""
    attribute = f' id="{element_id}"' if element_id else ""
    return f"<div{attribute}>{logo}<div>{escape(name)}</div><div>技术部 | 电话 021-6888 0000</div></div>"


def jpeg(width: int = 320, height: int = 240, *, seed: int = 1) -> bytes:
    """A photo-like JPEG: noise keeps it from compressing to nothing (320x240 is about 60 kB)."""
    generator = random.Random(seed)  # noqa: S311 - noise for a picture, not a secret
    image = Image.frombytes("RGB", (width, height), generator.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def png(width: int = 120, height: int = 40, *, color: tuple[int, int, int] = (0, 90, 160)) -> bytes:
    """A flat PNG like a signature's logo (well under a kilobyte)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def heic_head(size: int = 40_000) -> bytes:
    """The first bytes of an iPhone's HEIC (an ISO BMFF 'ftyp' box of brand heic), padded to `size`."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(256)) * (size // 256)


def pdf(pages_text: str = "巡检报告") -> bytes:
    text = pages_text.encode("utf-16-be").hex()
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
