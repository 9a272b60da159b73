"""Who may call which route of a service: each service declares a rule for every route it has (its
access table), and one guard in front of its router enforces it. A route without a rule refuses
everyone, so a new route is closed until someone decides who may use it.

A rule names the roles that may call the route (an admin always may) and where the request names its
site, so that a customer's representative reaches its own site only: the `site_code` in the path, the
site a ticket id or document code starts with (`HH138-20261125-0001`, `HH138-2026-REC-000001`), or a
`site_code` query parameter a customer must give. A route whose site is in the body checks it in its
handler (`Caller.sees`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fastapi import Request

from shared.identity import Identity, Role

STAFF = frozenset({Role.OPERATOR, Role.MANAGER, Role.ENGINEER, Role.QUALITY})
EVERYONE = STAFF | {Role.CUSTOMER}


class SiteIn(StrEnum):
    NOWHERE = "nowhere"  # the route is no customer's business, or its handler checks the site
    PATH = "path"  # {site_code}
    TICKET = "ticket"  # {ticket_id} starts with the site
    CODE = "code"  # {code}, a document's or register's, starts with the site
    QUERY = "query"  # ?site_code=, which a customer must give


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] = field(default_factory=frozenset)  # besides admin
    site: SiteIn = SiteIn.NOWHERE
    public: bool = False  # no token needed: signing in


PUBLIC = Rule(public=True)


def only(*roles: Role, site: SiteIn = SiteIn.NOWHERE) -> Rule:
    return Rule(frozenset(roles), site)


def anyone_of(roles: frozenset[Role], site: SiteIn = SiteIn.NOWHERE) -> Rule:
    return Rule(roles, site)


AccessTable = dict[tuple[str, str], Rule]
"""(method, path template) -> rule, e.g. ("POST", "/tickets/{ticket_id}/assign") -> only(MANAGER)."""


class AccessDenied(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def rule_for(table: AccessTable, request: Request) -> Rule:
    """The rule of the route the request matched; AccessDenied if it has none."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    rule = table.get((request.method, template))
    if rule is None:
        raise AccessDenied("no_rule", f"{request.method} {template} has no access rule; nobody may call it")
    return rule


def check(rule: Rule, request: Request, identity: Identity) -> None:
    """Raise AccessDenied unless the rule lets this person make this request."""
    template = getattr(request.scope.get("route"), "path", request.url.path)
    if not identity.may(rule.roles):
        needed = " or ".join(sorted(role.value for role in rule.roles | {Role.ADMIN}))
        held = ", ".join(sorted(identity.roles)) or "no role"
        raise AccessDenied("forbidden", f"{request.method} {template} needs the role {needed}; you have {held}")
    if not identity.customer_only:
        return
    site = _site_of(rule.site, request)
    if rule.site in (SiteIn.PATH, SiteIn.TICKET, SiteIn.CODE) and site is None:
        # A rule that names a site the route does not have: closed, not open.
        raise AccessDenied("no_rule", f"{request.method} {template} names no site where its rule looks for one")
    if rule.site is SiteIn.QUERY and site is None:
        raise AccessDenied("site_required", f"a customer lists its own site only: add site_code={identity.site_code}")
    if site is not None and not identity.sees(site):
        raise AccessDenied("other_site", f"you represent site {identity.site_code}, not {site}")
    # A query may name sites more than once (a list filtered by several): each must be the customer's.
    for named in request.query_params.getlist("site_code") if rule.site is SiteIn.QUERY else ():
        if not identity.sees(named):
            raise AccessDenied("other_site", f"you represent site {identity.site_code}, not {named}")


def _site_of(where: SiteIn, request: Request) -> str | None:
    if where is SiteIn.PATH:
        return request.path_params.get("site_code")
    if where is SiteIn.QUERY:
        return request.query_params.get("site_code")
    key = {SiteIn.TICKET: "ticket_id", SiteIn.CODE: "code"}.get(where)
    value = request.path_params.get(key) if key else None
    return value.split("-", 1)[0] if value else None
