"""What a notice says, in Chinese or English, with the ticket's link into the console. Everything a
reader reads is in their language: the site and its subsystems by the names intake describes them with
(`Names`), the codes of the notice's facts (clocks, priorities, why an engineer was chosen, why nobody
could be) in words (shared/words.py). Times are shown in the reader's own time zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.contracts.notices import NoticeKind
from shared.words import LANGUAGES, named, word

# (subject, body) per kind and language; fields in braces come from the notice's facts, worded.
TEXTS: dict[NoticeKind, dict[str, tuple[str, str]]] = {
    NoticeKind.ASSIGNED: {
        "zh": (
            "新派工 {ticket}",
            "{site} 的工单 {ticket}（{about}）已派给您。{rule}{reason}",
        ),
        "en": (
            "Assigned to you: {ticket}",
            "Ticket {ticket} at {site} ({about}) is now yours. {rule}{reason}",
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
            "厂商 {partner} 的升级单 {case}（{site} 的工单 {ticket}）的{clock}时限已于 {due} 超时。",
        ),
        "en": (
            "Vendor breach: {ticket}",
            "Vendor {partner} missed the {clock} deadline of case {case} (ticket {ticket} at {site}) at {due}.",
        ),
    },
    NoticeKind.AWAITING_ASSIGNMENT: {
        "zh": (
            "无人可派 {ticket}",
            "{site} 的工单 {ticket}（{about}）暂无工程师可接，请人工派工。原因：{why}",
        ),
        "en": (
            "Nobody can take {ticket}",
            "Ticket {ticket} at {site} ({about}) waits for an engineer; please assign it. Why: {why}",
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
    NoticeKind.FOLLOW_UP_ASKED: {
        "zh": (
            "请评价本次服务 {ticket}",
            "{site} 的工单 {ticket}（{about}）已处理完毕。请打开下面的链接，为本次服务打分（1-5 分）并留下意见；"
            "如不满意，工单将重新处理。",
        ),
        "en": (
            "How did we do? {ticket}",
            "Ticket {ticket} at {site} ({about}) has been dealt with. Open the link below to rate the service "
            "(1 to 5) and tell us what you think; if you are not satisfied, the ticket is taken up again.",
        ),
    },
    NoticeKind.CUSTOMER_COMMENTED: {
        "zh": (
            "客户留言 {ticket}",
            "{site} 的工单 {ticket}（{about}）客户 {caller} 留言：{comments}",
        ),
        "en": (
            "The customer wrote on {ticket}",
            "{caller} wrote on ticket {ticket} at {site} ({about}): {comments}",
        ),
    },
    NoticeKind.MERGED: {
        "zh": (
            "工单 {ticket} 已合并",
            "{site} 的工单 {ticket}（{about}）是重复报修，已合并到工单 {linked}，您无需再处理。",
        ),
        "en": (
            "{ticket} merged",
            "Ticket {ticket} at {site} ({about}) repeated a report and joined ticket {linked}; you need not act on it.",
        ),
    },
    NoticeKind.PAGED: {
        "zh": (
            "紧急：工单 {ticket} 无人接单",
            "{site} 的工单 {ticket}（{about}）{held}至今无人接单，响应时限 {due} 到期。{asked}",
        ),
        "en": (
            "Urgent: nobody has accepted {ticket}",
            "Ticket {ticket} at {site} ({about}) {held}has not been accepted; its response clock runs out at "
            "{due}. {asked}",
        ),
    },
    NoticeKind.MAIL_FLOOD: {
        "zh": (
            "邮件热线：{sender} 的邮件已暂缓",
            "{sender} 一小时内已向服务邮箱发送 {count} 封邮件，之后的邮件只留存、不再建单或回复，"
            "请在邮件热线页面查看处理。",
        ),
        "en": (
            "E-mail hotline: mails from {sender} held back",
            "{sender} sent {count} mails to the service mailbox within an hour; the next ones are only kept, "
            "neither opening tickets nor answered. Look at them on the e-mail hotline's page.",
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

# Why nobody could take a ticket (the fact `cause`), per language; a notice without one says dispatch's `why`.
CAUSES = {
    "no_skill": ("本项目没有具备该系统技能的工程师。", "no engineer of the site has the skill for this subsystem."),
    "about_the_service": (
        "这是关于服务本身的咨询，请服务经理答复或指派。",
        "it is a question about the service as a whole: answer it or give it to someone.",
    ),
    "nobody_free": (
        "具备该系统技能的工程师均不在班或已满负荷，候选人详见工单页面。",
        "every engineer with the skill is off duty or full; the ticket's page lists the candidates.",
    ),
}
RULE = ("派工依据：{}。", "Why you: {}. ")
HELD = ("已派给 {}，但", "was given to {}, but ")  # whom a paged ticket was given to
ANYONE = ("值班工程师", "the engineers on duty")
ASKED = {  # what a page asks of whom it wakes: an engineer sees the ticket taken up, a manager gives it away
    "service_managers": ("请立即联系{}或改派。", "Reach {} or give it to someone else now."),
    "engineer": (
        "请立即联系{}或接手处理，并告知服务经理。",
        "Reach {} or take it up now, and tell the service manager.",
    ),
}
REASON = ("说明：{}", "Note: {}")


@dataclass(frozen=True)
class Names:
    """What people call a notice's site (`name`, `local_name`) and its subsystems (by code), as intake
    described them; empty: not described yet, and codes are shown."""

    site: Mapping[str, str | None] = field(default_factory=dict)
    subsystems: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def render(
    kind: NoticeKind,
    facts: Mapping[str, object],
    *,
    language: str,
    timezone: str,
    link: str | None,
    names: Names | None = None,
) -> Text:
    language = language if language in LANGUAGES else LANGUAGES[0]
    subject, body = TEXTS[kind][language]
    shown = {key: "" if value is None else value for key, value in facts.items()}
    shown.update(_worded(facts, language, names or Names()))
    if "due" in shown:
        shown["due"] = _local(str(shown["due"]), timezone)
    body = body.format_map(_Blank(shown)).strip()
    if link:
        body += ("\n查看：" if language == "zh" else "\nOpen: ") + link
    return Text(subject.format_map(_Blank(shown)), body)


def _worded(facts: Mapping[str, object], language: str, names: Names) -> dict[str, object]:
    """The facts people read in words: names for the site and subsystem, words for codes."""
    english = language == "en"
    shown: dict[str, object] = {}
    if facts.get("site"):
        shown["site"] = named(names.site, language) or facts["site"]
    subsystem = str(facts.get("subsystem") or "")
    if subsystem:
        shown["subsystem"] = named(names.subsystems.get(subsystem), language) or subsystem
    priority = word("priority", _code(facts.get("priority")), language)
    shown["about"] = ("，" if not english else ", ").join(str(p) for p in (shown.get("subsystem"), priority) if p)
    if facts.get("clock"):
        shown["clock"] = word("clock", _code(facts["clock"]), language)
    rule = _code(facts.get("rule"))
    shown["rule"] = RULE[english].format(word("rule", rule, language)) if rule else ""
    reason = facts.get("reason")
    shown["reason"] = REASON[english].format(reason) if reason else ""
    holder = facts.get("holder")
    shown["held"] = HELD[english].format(holder) if holder else ""
    if facts.get("to"):
        asked = ASKED["service_managers" if facts["to"] == "service_managers" else "engineer"][english]
        shown["asked"] = asked.format(f" {holder} " if holder and not english else holder or ANYONE[english])
    cause = _code(facts.get("cause"))
    if cause in CAUSES:
        shown["why"] = CAUSES[cause][english]
    return shown


def _code(value: object) -> str | None:
    return str(value) if value else None


def _local(moment: str, timezone: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


class _Blank(dict[str, object]):
    """A fact a text names but the notice lacks reads as nothing, not as an error."""

    def __missing__(self, key: str) -> str:
        return ""
