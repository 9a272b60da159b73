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

from shared.outgoing_mail import OWN_REFERENCE  # the suite's Message-IDs name their ticket

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
    found = [(m[1], "reference") for r in references if (m := OWN_REFERENCE.fullmatch(r.strip()))]
    found += [(number, "subject") for number in TICKET_NUMBER.findall(subject.upper())]
    return list(dict.fromkeys(found))


def suggest_subsystem(words: str, subsystems: Iterable[Mapping[str, str | None]]) -> str | None:
    """The one subsystem the words name (by its code or either of its names), if exactly one."""
    text = words.casefold()
    named = {
        s["code"]
        for s in subsystems
        if s.get("code")
        and any(
            name and (name.casefold() in text if not name.isascii() else _word_in(name.casefold(), text))
            for name in (s.get("code"), s.get("name"), s.get("local_name"))
        )
    }
    return named.pop() if len(named) == 1 else None


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
    return re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text) is not None
