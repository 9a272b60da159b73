"""What a mail to the service mailbox is about, as pure functions: the ticket it answers (its number in
the subject, or a reference to a mail the suite sent about it), the site it comes from (the sender's
address or domain as the sites' contracts name their people, or a site code in the subject), the
subsystem and the device its words name.

A domain names a site only when it is the customer's own: public mail services (QQ, 163, ...) and the
integrator's own domains are shared by everyone, so only a full address or a site code decides there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.mail_references import TICKET_REFERENCE  # the suite's Message-IDs name their ticket

# A ticket's number: its site's code, the day it was reported and its sequence (HH138-20261127-0001).
TICKET_NUMBER = re.compile(r"(?<![A-Z0-9-])([A-Z0-9]{2,12}-\d{8}-\d{4,6})(?![A-Z0-9])")
SITE_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z0-9]{2,12})(?![A-Za-z0-9])")

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "vip.163.com", "188.com",
        "sina.com", "sina.cn", "sohu.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com", "21cn.com",
        "gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com", "me.com",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SiteDirectory:
    """Whom each site's contracts name, by address; and the integrator's own domains, which name no site."""

    addresses: Mapping[str, frozenset[str]] = field(default_factory=dict)  # site code -> addresses (lower case)
    own_domains: frozenset[str] = frozenset()

    def sites_of_address(self, address: str) -> set[str]:
        return {site for site, known in self.addresses.items() if address in known}

    def sites_of_domain(self, domain: str) -> set[str]:
        if not domain or domain in PUBLIC_MAIL_DOMAINS or domain in self.own_domains:
            return set()
        return {site for site, known in self.addresses.items() if any(_domain(a) == domain for a in known)}


@dataclass(frozen=True)
class SiteMatch:
    site_code: str | None
    how: str  # address, domain, subject, or why none: unknown_sender, several_sites, conflicting_sites


def match_site(sender: str, subject: str, directory: SiteDirectory, site_codes: Iterable[str]) -> SiteMatch:
    """The site a new mail is about: the one its sender's address is known at, or failing that its domain;
    a site code in the subject decides between several, and names the site of an unknown sender."""
    named = set(SITE_CODE.findall(subject)) & set(site_codes)
    for how, candidates in (
        ("address", directory.sites_of_address(sender)),
        ("domain", directory.sites_of_domain(_domain(sender))),
    ):
        if len(candidates) == 1 and (not named or named == candidates):
            return SiteMatch(next(iter(candidates)), how)
        if candidates:
            chosen = candidates & named
            if len(chosen) == 1:
                return SiteMatch(next(iter(chosen)), "subject")
            return SiteMatch(None, "conflicting_sites" if named else "several_sites")
    if len(named) == 1:
        return SiteMatch(next(iter(named)), "subject")
    return SiteMatch(None, "several_sites" if named else "unknown_sender")


def tickets_referenced(subject: str, references: Iterable[str]) -> list[tuple[str, str]]:
    """The tickets a mail may answer, and how it says so, most telling first: a reference to a mail the
    suite sent about one (`reference`: only whoever received that mail knows it), then the numbers in its
    subject (`subject`; a number shaped like one may be something else: the caller keeps the known)."""
    found = [(m[1], "reference") for r in references if (m := TICKET_REFERENCE.fullmatch(r.strip()))]
    found += [(number, "subject") for number in TICKET_NUMBER.findall(subject.upper())]
    return list(dict.fromkeys(found))


# How customers name the plan's four systems besides the names a site file gives them (which are often
# formal: "BGM背景音乐系统"), by the subsystem codes the demo and most site files use.
EVERYDAY_WORDS = {
    "bgm": ("背景音乐", "背景音", "广播", "音乐", "喇叭", "吸顶音箱", "background music"),
    "av": ("音响", "功放", "话筒", "麦克风", "投影", "调音台", "音视频", "扩声", "sound system", "projector"),
    "signage": (
        "信息发布",
        "显示屏",
        "大屏",
        "广告屏",
        "广告机",
        "电子屏",
        "屏幕",
        "黑屏",
        "digital signage",
        "screen",
    ),
    "control": ("中控", "中央控制", "集中控制", "控制系统", "触摸屏", "控制面板", "control panel"),
}
FORMAL = re.compile(r"系统$|\s*system$", re.IGNORECASE)


def suggest_subsystem(words: str, subsystems: Iterable[Mapping[str, str | None]]) -> str | None:
    """The subsystem the words name most (by its code, its names, the core of its Chinese name, the
    everyday words for it), if one is named more than any other."""
    text = words.casefold()
    hits = {s["code"]: _hits(text, s) for s in subsystems if s.get("code")}
    ranked = sorted(hits.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _hits(text: str, subsystem: Mapping[str, str | None]) -> int:
    code = str(subsystem["code"])
    names = [n for n in (code, subsystem.get("name"), subsystem.get("local_name")) if n]
    terms = {n.casefold() for n in names} | {FORMAL.sub("", n).casefold() for n in names}
    terms |= {token.casefold() for n in names for token in re.findall(r"[A-Za-z]{2,}", n) if not n.isascii()}
    terms |= set(EVERYDAY_WORDS.get(code, ()))
    found = {term for term in terms if len(term) >= 2 and _mentioned(term, text)}
    return sum(1 for term in found if not any(term != other and term in other for other in found))  # 音乐 in 背景音乐


def _mentioned(term: str, text: str) -> bool:
    """A Chinese term anywhere in the words; a Latin one as a word of its own (`av`, not `avenue`)."""
    if not term.isascii():
        return term in text
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text) is not None


def device_named(words: str, devices: Iterable[Mapping[str, str | None]]) -> str | None:
    """The asset tag of the one device whose tag or serial number the words name, if exactly one."""
    text = words.upper()
    named = {
        d["asset_tag"]
        for d in devices
        if d.get("asset_tag")
        and any(value and _word_in(value.upper(), text) for value in (d.get("asset_tag"), d.get("serial_number")))
    }
    return named.pop() if len(named) == 1 else None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _word_in(needle: str, text: str) -> bool:
    """An asset tag or serial number as a token of its own (Chinese words may touch it on either side)."""
    return re.search(rf"(?<![A-Za-z0-9-]){re.escape(needle)}(?![A-Za-z0-9-])", text) is not None
