"""The new words of a mail: its text without the quoted history, the signature and the disclaimer (pure).

Chinese offices top-post: the new words come first, then the client's quote header and the history. Each
client's marks are in the tables below (one place), with where their shape was seen. A forward (Fw:/转发:)
keeps what it forwards: that is what the sender wants read.
"""

from __future__ import annotations

import re

from services.intake.mail.domain.html_text import CUT, RULE, tidy

_LEAD = r"^[\s>*]*"  # quote marks, and the bold stars of a plain part made from HTML (*发件人:*)

# Lines where the quoted history begins.
QUOTE_STARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("html_quote", re.compile(re.escape(CUT))),
    # Outlook "-----Original Message-----"; Chinese Outlook "-----邮件原件-----" (linux-kernel archive,
    # Microsoft Outlook 16.0, zh-cn, 2021); Foxmail / QQ Mail / Tencent Exmail "------------------ 原始邮件
    # ------------------" and "------------------&nbsp;Original&nbsp;------------------" (its plain part
    # keeps the entity: qemu-discuss archive, 2020); NetEase "---- 回复的原邮件 ----".
    (
        "original_separator",
        re.compile(
            _LEAD + r"[-—–_=]{2,}\s*(original message|original|reply message|原始邮件|原邮件|邮件原件|"
            r"回复的原邮件|原始郵件|郵件原件|原始訊息)\s*[-—–_=]{2,}\s*$",
            re.I,
        ),
    ),
    # iPhone "在 2020年6月29日，下午5:45，Jiang Ying <jiangying8582@126.com> 写道：" (linux-ext4 archive,
    # 2020), Gmail "On Tue, … wrote:", NetEase "在 2019-07-04 11:20:38，"冯伟" <…> 写道：" / "At …, … wrote:".
    # The line names a moment (a year or a time): "…第3页写道：" in the words is no quote header.
    ("wrote_line", re.compile(_LEAD + r"(?=.*(\d{4}|\d{1,2}:\d{2})).{0,300}(wrote|写道|寫道)\s*[:：]\s*$", re.I)),
    ("quoted_line", re.compile(r"^\s*>")),
)
# A quote header spread over lines: "From:"/"发件人:" with "Sent:"/"发送时间:"/"Date:" within the next
# lines (Outlook, Foxmail's 发件人/发送时间/收件人/主题 block, Alibaba Mail's 发件人：/发送时间：/主　题：).
_HEADER_FROM = re.compile(_LEAD + r"(from|发件人|寄件者|寄件人|发信人)\s*[:：]", re.I)
_HEADER_NEXT = re.compile(
    _LEAD + r"(sent|date|to|发送时间|时间|日期|发送日期|寄件日期|收件人|收件者)\s*[:：]|"
    r"\s(sent|date|发送时间)\s*[:：]",
    re.I,
)
HEADER_BLOCK_LINES = 4
# Gmail and Apple Mail sometimes fold the "On … wrote:" line in two.
_WROTE_FIRST = re.compile(_LEAD + r"(on\s|at\s|在|於|于)", re.I)
_WROTE_SECOND = re.compile(r"^.{0,120}(wrote|写道|寫道)\s*[:：]\s*$", re.I)
_MOMENT = re.compile(r"\d{4}|\d{1,2}:\d{2}")

# Lines where the signature begins (everything after them is the signature, up to the history).
SIGNATURE_STARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dash_dash", re.compile(r"^--\s?$")),  # RFC 3676's "-- " (some clients lose the space)
    (
        "device",
        re.compile(
            r"^\s*(发自我的|来自我的|从我的|sent from my|sent with|get outlook for|获取 ?outlook|"
            r"(发自|来自)\s*(网易邮箱|qq ?邮箱|阿里邮箱|钉钉|企业微信|outlook|wps|foxmail|mail for windows))"
            r".{0,40}$",
            re.I,
        ),
    ),
)
# A rule starts a signature when a few short lines follow it to the end: an HTML <hr> (Foxmail's rule above
# its signature) before one or more, a typed rule ("——————") before two or more (a heading's underline
# has the words under it, mostly one line or long ones).
_RULE = re.compile(r"^[-_—=*~·]{8,}$")
SIGNATURE_MAX_LINES = 8
SIGNATURE_LINE_CHARS = 60
# Common Chinese and English company disclaimers: cut from the first line that says one, when what
# follows also says what a disclaimer says (delete it, do not pass it on): "本邮件附件是保密的报告" is words.
DISCLAIMERS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(此|本|该)(封)?(电子)?(邮件|郵件)(及其|及|和|与)?(任何)?(附件)?.{0,40}(保密|机密|專有|专有|私密|特权)"
    ),
    re.compile(r"(免责声明|保密声明|保密提示|免責聲明)"),
    re.compile(r"(如果|若|如)(您|你)(并非|不是|非).{0,12}(收件人|收信人|收件者)"),
    re.compile(r"(confidentiality notice|disclaimer\s*:)", re.I),
    re.compile(r"this (e-?mail|message)\b.{0,80}\b(confidential|privileged)", re.I),
)
DISCLAIMER_LINES = 10  # where a disclaimer says what to do with a mail received by mistake
DISCLAIMER_TERMS = re.compile(r"删除|禁止|不得|授权|误收|错误(地)?收到|销毁|intended|prohibited|delete|unauthori", re.I)
FORWARD_SUBJECT = re.compile(r"^\s*(\[?(fw|fwd|tr|wg)\]?|转发|轉寄|转寄|轉發)\s*[:：]", re.I)


def is_forward(subject: str) -> bool:
    return bool(FORWARD_SUBJECT.match(subject))


def quote_start(lines: list[str]) -> int:
    """The index of the line where the quoted history begins, or len(lines)."""
    for index, line in enumerate(lines):
        if any(pattern.search(line) for _, pattern in QUOTE_STARTS):
            return index
        if _HEADER_FROM.match(line) and (
            _HEADER_NEXT.search(line[4:])
            or any(_HEADER_NEXT.match(n) for n in lines[index + 1 : index + 1 + HEADER_BLOCK_LINES])
        ):
            return index
        if index + 1 < len(lines) and _folded_wrote_line(line, lines[index + 1]):
            return index
    return len(lines)


def _folded_wrote_line(line: str, following: str) -> bool:
    return bool(_WROTE_FIRST.match(line) and _WROTE_SECOND.match(following) and _MOMENT.search(line + following))


def signature_start(lines: list[str]) -> int:
    """The index of the line where the signature or the disclaimer begins, or len(lines)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if any(pattern.match(stripped) for _, pattern in SIGNATURE_STARTS):
            return index
        if index > 0 and _is_disclaimer(stripped, lines[index : index + DISCLAIMER_LINES]):
            return index
        if _RULE.match(stripped) and _signature_below(stripped, lines, index):
            return index
    return len(lines)


def _is_disclaimer(line: str, paragraph: list[str]) -> bool:
    return any(p.search(line) for p in DISCLAIMERS) and bool(DISCLAIMER_TERMS.search("\n".join(paragraph)))


def _signature_below(rule: str, lines: list[str], index: int) -> bool:
    if len(lines) - index - 1 > SIGNATURE_MAX_LINES * 3:  # far from the end (blank lines between its lines)
        return False
    following = [line.strip() for line in lines[index + 1 :] if line.strip()]
    fewest = 1 if rule == RULE else 2
    short = all(len(line) <= SIGNATURE_LINE_CHARS for line in following)
    return fewest <= len(following) <= SIGNATURE_MAX_LINES and short


def new_words(text: str, *, forward: bool = False) -> str:
    """The words the sender wrote in this mail; a forward keeps what it forwards."""
    lines = _normalised(text).split("\n")
    start = quote_start(lines)
    own = lines[:start]
    own = own[: signature_start(own)]
    while own and (not own[-1].strip() or _RULE.match(own[-1].strip())):
        own.pop()
    if forward and start < len(lines):
        own += ["", *(line for line in lines[start:] if CUT not in line)]
    return tidy("\n".join(own))


def _normalised(text: str) -> str:
    """QQ Mail's plain part keeps '&nbsp;' as text; no-break and full-width spaces read as spaces."""
    return text.replace("&nbsp;", " ").replace("\xa0", " ")
