"""What a notice says, in Chinese or English, with the ticket's link into the console. Times are shown
in the reader's own time zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.contracts.notices import NoticeKind

LANGUAGES = ("zh", "en")

# (subject, body) per kind and language; fields in braces come from the notice's facts.
TEXTS: dict[NoticeKind, dict[str, tuple[str, str]]] = {
    NoticeKind.ASSIGNED: {
        "zh": (
            "新派工 {ticket}",
            "{site} 的工单 {ticket}（{subsystem}）已派给您。{reason}",
        ),
        "en": (
            "Assigned to you: {ticket}",
            "Ticket {ticket} at {site} ({subsystem}) is now yours. {reason}",
        ),
    },
    NoticeKind.TAKEN_OFF: {
        "zh": (
            "工单 {ticket} 已改派",
            "{site} 的工单 {ticket} 已改派给 {engineer}，您无需再处理。{reason}",
        ),
        "en": (
            "{ticket} reassigned",
            "Ticket {ticket} at {site} now goes to {engineer}; you need not act on it. {reason}",
        ),
    },
    NoticeKind.SLA_WARNING: {
        "zh": (
            "时限预警 {ticket}",
            "{site} 的工单 {ticket} 的{clock}时限将于 {due} 到期，还剩约 {minutes} 分钟。",
        ),
        "en": (
            "SLA warning: {ticket}",
            "The {clock} clock of ticket {ticket} at {site} is due at {due}, about {minutes} minutes left.",
        ),
    },
    NoticeKind.SLA_BREACHED: {
        "zh": (
            "时限超时 {ticket}",
            "{site} 的工单 {ticket} 的{clock}时限（{minutes} 分钟）已于 {due} 超时。",
        ),
        "en": (
            "SLA breached: {ticket}",
            "The {clock} clock of ticket {ticket} at {site} ({minutes} minutes) was breached at {due}.",
        ),
    },
    NoticeKind.VENDOR_BREACHED: {
        "zh": (
            "厂商超时 {ticket}",
            "厂商 {partner} 的升级单 {case}（工单 {ticket}）的{clock}时限已于 {due} 超时。",
        ),
        "en": (
            "Vendor breach: {ticket}",
            "Vendor {partner} missed the {clock} deadline of case {case} (ticket {ticket}) at {due}.",
        ),
    },
    NoticeKind.AWAITING_ASSIGNMENT: {
        "zh": (
            "无人可派 {ticket}",
            "{site} 的工单 {ticket}（{subsystem}）暂无工程师可接，请人工派工。原因：{why}",
        ),
        "en": (
            "Nobody can take {ticket}",
            "Ticket {ticket} at {site} ({subsystem}) waits for an engineer; please assign it. Why: {why}",
        ),
    },
    NoticeKind.FOLLOW_UP_DUE: {
        "zh": (
            "待回访 {ticket}",
            "{site} 的工单 {ticket} 已解决，请在 {due} 前回访客户。",
        ),
        "en": (
            "Follow-up due: {ticket}",
            "Ticket {ticket} at {site} was resolved; call the customer back by {due}.",
        ),
    },
    NoticeKind.FOLLOW_UP_MISSED: {
        "zh": (
            "回访逾期 {ticket}",
            "{site} 的工单 {ticket} 的回访应在 {due} 前完成，已逾期。",
        ),
        "en": (
            "Follow-up missed: {ticket}",
            "The follow-up call on ticket {ticket} at {site} was due by {due} and was not made.",
        ),
    },
    NoticeKind.LOW_SATISFACTION: {
        "zh": (
            "满意度低 {ticket}",
            "{site} 的工单 {ticket} 回访满意度为 {score} 分（回访人 {caller}）。{comments}",
        ),
        "en": (
            "Low satisfaction: {ticket}",
            "The customer rated ticket {ticket} at {site} {score} of 5 (called by {caller}). {comments}",
        ),
    },
    NoticeKind.WEBHOOK_PAUSED: {
        "zh": (
            "Webhook 已暂停（{site}）",
            "发往 {url} 的推送一再失败，已暂停，请修复后在控制台恢复。{why}",
        ),
        "en": (
            "Webhook paused ({site})",
            "Deliveries to {url} kept failing and are paused; fix the receiver and resume it in the console. {why}",
        ),
    },
}

CLOCKS = {
    "zh": {"response": "响应", "on_site": "到场", "resolution": "解决", "acknowledge": "确认",
           "repair": "维修", "replacement": "更换"},
    "en": {"response": "response", "on_site": "on-site", "resolution": "resolution", "acknowledge": "acknowledge",
           "repair": "repair", "replacement": "replacement"},
}  # fmt: skip


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def render(kind: NoticeKind, facts: Mapping[str, object], *, language: str, timezone: str, link: str | None) -> Text:
    language = language if language in LANGUAGES else LANGUAGES[0]
    subject, body = TEXTS[kind][language]
    shown = {key: "" if value is None else value for key, value in facts.items()}
    if "due" in shown:
        shown["due"] = _local(str(shown["due"]), timezone)
    if "clock" in shown:
        shown["clock"] = CLOCKS[language].get(str(shown["clock"]), shown["clock"])
    body = body.format_map(_Blank(shown)).strip()
    if link:
        body += ("\n查看：" if language == "zh" else "\nOpen: ") + link
    return Text(subject.format_map(_Blank(shown)), body)


def _local(moment: str, timezone: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


class _Blank(dict[str, object]):
    """A fact a text names but the notice lacks reads as nothing, not as an error."""

    def __missing__(self, key: str) -> str:
        return ""
