"""What a reader should not meet in a page or a PDF in their language: a code of the suite's
vocabularies, or a word of the other language, but for what the data names the same in any language
(identifiers, proper nouns, what people typed). tests/test_whole_life_words.py reads a ticket's whole
life with it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from enum import StrEnum

import shared.contracts as contracts
from services.dispatch.tickets.domain.lifecycle import Status
from services.sla.domain.outcome import Outcome
from shared.site_file import DEMO_SITE
from shared.words import VOCABULARIES

PROPER = frozenset({"aftercare", "pdf", "english", "sha", "rma", "db"})
"""Words allowed in Chinese: the brand, the document format, the language link's own name, the digest's
algorithm, the vendors' return number and the unit of a level."""
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
WORD = re.compile(r"[A-Za-z]{3,}")
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def suite_codes() -> frozenset[str]:
    """The codes of the suite's vocabularies: its contracts' enums, the words' vocabularies, the tickets'
    statuses and the clocks' outcomes."""
    found: set[str] = set()
    for value in vars(contracts).values():
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
            found.update(member.value for member in value)
    for vocabulary in VOCABULARIES.values():
        found.update(vocabulary)
    found.update(member.value for member in Status)
    found.update(member.value for member in Outcome)
    site = tomllib.loads(DEMO_SITE.read_text())
    found.update(subsystem["code"] for subsystem in site["subsystems"])
    return frozenset(found)


def site_data(site: str) -> tuple[list[str], set[str]]:
    """What the site file names that reads the same in any language: its identifiers (asset tags, serials,
    engineers' ids) and the words of its proper nouns (models, makers, people's names, where devices stand,
    the Latin letters of the mall's own Chinese names). Read from the demo site the test's copies. The site
    file gives the site's address and where each device stands in English alone: they show as written."""
    data = tomllib.loads(DEMO_SITE.read_text())
    old = data["site"]["code"]
    identifiers = [site, site.lower(), data["site"]["address"]]  # lower case in notify's accounts
    words: set[str] = set()
    for device in data["equipment"]:
        identifiers += [device["asset_tag"].replace(old, site, 1)]
        if device.get("serial_number"):
            identifiers.append(f"{site}-{device['serial_number']}")
        # Written in the site file in English alone: where a device stands (as the site's address below).
        identifiers += [device["model"], device["location"]]
        for key in ("model", "manufacturer", "vendor_code"):
            words.update(w.lower() for w in WORD.findall(str(device.get(key) or "")))
    for engineer in data["engineers"]:
        identifiers.append(f"{site}-{engineer['id']}")
        words.update(w.lower() for w in WORD.findall(engineer["name"]))
    named = [data["site"], *data["subsystems"]]
    for thing in named:
        words.update(w.lower() for w in WORD.findall(thing.get("local_name") or ""))
    for contract in data["contracts"]:
        for person in [contract.get("customer_representative"), *(contract.get("contacts") or [])]:
            if person:
                words.update(w.lower() for w in WORD.findall(person["name"]))
    return sorted(identifiers, key=len, reverse=True), words


def without(text: str, shown_as_is: Iterable[str]) -> str:
    for value in shown_as_is:
        text = text.replace(value, " ")
    return DIGEST.sub(" ", text)  # a document's SHA-256, in hexadecimal


def chinese_faults(
    texts: Mapping[str, str], shown_as_is: list[str], allowed: set[str], codes: frozenset[str]
) -> list[str]:
    faults: list[str] = []
    for what, text in texts.items():
        rest = without(text, shown_as_is)
        faults.extend(
            f"{what}: the code {code!r}"
            for code in sorted(codes)
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(code)}(?![A-Za-z0-9_])", rest)
        )
        english = sorted({w for w in WORD.findall(rest) if w.lower() not in allowed and w.lower() not in codes})
        if english:
            faults.append(f"{what}: English {english}")
    return faults


def english_faults(texts: Mapping[str, str], shown_as_is: list[str]) -> list[str]:
    """Each page's or PDF's Chinese characters and codes, read in English."""
    faults = []
    for what, text in texts.items():
        rest = without(text, [*shown_as_is, "中文"])  # the language link, in its own language
        han = sorted(set(HAN.findall(rest)))
        if han:
            lines = [line.strip() for line in rest.splitlines() if HAN.search(line)]
            faults.append(f"{what}: Chinese {''.join(han)} in {lines[:6]}")
        codes = sorted(set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", rest)))
        if codes:
            faults.append(f"{what}: codes {codes}")
    return faults
