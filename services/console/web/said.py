"""What dispatch says in a ticket's history and why a ticket waits, in the reader's language: dispatch
keeps what it says itself as codes and figures (a history row's `facts`, a waiting ticket's
`waiting_facts`) beside its English `note`; the page words the facts here. What people typed (a
manager's reason, the engineer's findings, the customer's comments) shows as typed; a row written before
dispatch kept facts shows its note. Who acted, when it was a service and not a person, is named too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.console.web.words import N_

Gettext = Callable[[str], str]
Subsystem = Callable[[str | None, str | None, str], str]

ACTORS = {
    "dispatch": N_("Automatic dispatch"),
    "sla": N_("Deadline watch"),
    "vendor": N_("Vendor partner"),
    "seed": N_("Set up"),
}
"""The services that act on a ticket by themselves, named where a person's name would be."""

RULES = {
    "subsystem_owner": N_("the subsystem's own engineer"),
    "least_loaded": N_("the least loaded engineer available"),
    "manual": N_("chosen by the service manager"),
}
ESCALATIONS = {
    "repair": N_("repair"),
    "replacement": N_("replacement"),
    "vendor_visit": N_("vendor's visit"),
    "technical_question": N_("technical question"),
}
PAGED_AS = {
    "backup_on_call": N_("backup on call"),
    "engineer": N_("named in the site's paging chain"),
    "service_managers": N_("the service managers"),
}
NOBODY_PAGED = {
    "nobody_on_duty": N_("nobody else is on duty"),
    "off_duty": N_("off duty"),
    "not_serving": N_("does not serve this site"),
    "already_told": N_("already paged"),
}
VENDOR_OUTCOMES = {"fixed": N_("fixed"), "declined": N_("declined"), "cancelled": N_("cancelled")}


class Sayer:
    """The words of one page's reader (`gettext` of their language) for dispatch's facts."""

    def __init__(self, gettext: Gettext, language: str, subsystem: Subsystem, label: Callable[[str], str]) -> None:
        self._ = gettext
        self.language = language
        self.subsystem = subsystem
        self.label = label  # the page's words for the codes of kinds and priorities

    def _word(self, words: Mapping[str, str], code: Any) -> str:
        return self._(words[code]) if isinstance(code, str) and code in words else str(code or "")

    def _join(self, parts: list[str]) -> str:
        return ("；" if self.language == "zh" else "; ").join(parts)

    def _then(self, said: str, typed: Any) -> str:
        """Dispatch's words, then what someone typed after them."""
        if not typed:
            return said
        return f"{said}{'：' if self.language == 'zh' else ': '}{typed}"

    def actor(self, actor: str | None) -> str:
        """Who acted: a person's name as the service has it, or the words for a service acting by itself."""
        return self._(ACTORS[actor]) if actor in ACTORS else (actor or "")

    def history(self, row: Mapping[str, Any], site_code: str | None) -> str:
        """A history row's note in the reader's language."""
        facts = row.get("facts")
        note = row.get("note") or ""
        action = row.get("action")
        if not isinstance(facts, Mapping):
            return note
        _ = self._
        match action:
            case "assign":
                said = _("to %(engineer)s (%(rule)s)") % {
                    "engineer": facts.get("engineer_id"),
                    "rule": self._word(RULES, facts.get("rule")),
                }
                return self._then(said, note if facts.get("rule") == "manual" else None)
            case "route":
                return _("to the quality desk")
            case "await":
                return self.waiting(facts, site_code) or note
            case "at_risk":
                return _("the response clock warned and nobody has accepted it")
            case "paged":
                return self.page(facts)
            case "reclassify":
                said = _("now %(kind)s, %(priority)s priority") % {
                    "kind": self._label(facts.get("kind")),
                    "priority": self._label(facts.get("priority")),
                }
                return self._then(said, facts.get("reason"))
            case "escalate":
                said = _("%(escalation)s to %(vendor)s (%(reason)s)") % {
                    "escalation": facts.get("escalation_id"),
                    "vendor": facts.get("vendor_code"),
                    "reason": self._word(ESCALATIONS, facts.get("reason")),
                }
                return self._then(said, facts.get("findings"))
            case "vendor_case_ended":
                said = _("case %(case)s: %(outcome)s") % {
                    "case": facts.get("case_number") or "",
                    "outcome": self._word(VENDOR_OUTCOMES, facts.get("outcome")),
                }
                return self._then(said, facts.get("reason"))
            case "swap_device":
                return self._swap(facts)
            case "arrive":
                return self.arrival(facts)
            case "close" if facts.get("unreached_after"):
                return _("customer not reached after %(count)s follow-up calls") % {"count": facts["unreached_after"]}
            case "reopen" if facts.get("satisfaction") is not None:
                said = _("follow-up call, satisfaction %(score)s/5") % {"score": facts["satisfaction"]}
                return self._then(said, facts.get("comments"))
        return note

    def page(self, facts: Mapping[str, Any]) -> str:
        """One step of a paging chain: whom it woke, or why nobody."""
        _ = self._
        as_what = self._word(PAGED_AS, facts.get("to"))
        if facts.get("engineer_id"):
            return _("paged %(engineer)s (%(as_what)s)") % {
                "engineer": facts.get("engineer_name") or facts["engineer_id"],
                "as_what": as_what,
            }
        if facts.get("nobody"):
            return _("nobody to page (%(as_what)s): %(why)s") % {
                "as_what": as_what,
                "why": self._word(NOBODY_PAGED, facts["nobody"]),
            }
        return _("paged %(whom)s") % {"whom": as_what}

    def waiting(self, facts: Mapping[str, Any] | None, site_code: str | None) -> str:
        """Why nobody could take a ticket; empty without facts (the page shows the English it had)."""
        if not isinstance(facts, Mapping):
            return ""
        _ = self._
        subsystem = self.subsystem(facts.get("subsystem"), site_code, self.language)
        if facts.get("cause") == "no_skill":
            return _("no engineer of this site has the skill %(subsystem)s") % {"subsystem": subsystem}
        if facts.get("cause") == "about_the_service":
            return _("a question about the service as a whole: answer it or give it to someone")
        named = []
        for engineer in facts.get("engineers") or []:
            if engineer.get("reachable"):
                named.append(
                    _("%(engineer)s full (%(open)s of %(most)s)")
                    % {
                        "engineer": engineer.get("engineer_id"),
                        "open": engineer.get("open_tickets"),
                        "most": engineer.get("max_open_tickets"),
                    }
                )
            else:
                named.append(f"{engineer.get('engineer_id')} {self.label('duty_' + str(engineer.get('duty')))}")
        if facts.get("more"):
            named.append(_("and %(count)s more") % {"count": facts["more"]})
        said = _("nobody on duty with room for %(subsystem)s") % {"subsystem": subsystem}
        return self._then(said, self._join(named))

    def _label(self, code: Any) -> str:
        return self.label(code) if isinstance(code, str) else ""

    def _swap(self, facts: Mapping[str, Any]) -> str:
        _ = self._
        serial = facts.get("new_serial_number")
        new = (_("loaner %(serial)s") if facts.get("loaner") else _("new device %(serial)s")) % {"serial": serial}
        said = _("%(device)s: %(old)s out, %(new)s in") % {
            "device": facts.get("asset_tag"),
            "old": facts.get("old_serial_number") or _("unknown serial"),
            "new": new,
        }
        extra = []
        if facts.get("rma_number"):
            extra.append(f"RMA {facts['rma_number']}")
        if facts.get("case_number"):
            extra.append(_("case %(case)s") % {"case": facts["case_number"]})
        return ("，" if self.language == "zh" else ", ").join([said, *extra])

    def arrival(self, facts: Mapping[str, Any]) -> str:
        """An arrival check in words: how far from the site, or why it was flagged (the manager's ticket
        page and the engineer's phone say it alike)."""
        _ = self._
        distance = facts.get("distance_m")
        doubt = facts.get("doubt")
        if doubt == "no_position":
            return _("arrival flagged: no position from the phone")
        if doubt == "position_too_vague":
            return _("arrival flagged: the position is too vague to tell (%(distance)s m from the site)") % {
                "distance": distance
            }
        if doubt == "too_far":
            return _("arrival flagged: %(distance)s m from the site") % {"distance": distance}
        if not facts.get("checked"):
            return _("arrived (the site has no coordinates to check against)")
        return _("arrived %(distance)s m from the site") % {"distance": distance}
