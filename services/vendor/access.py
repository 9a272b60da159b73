"""Who may call the vendor service's routes (shared/access.py). Partners never call them: they speak
AMQP on their own queues."""

from shared.access import EVERYONE, STAFF, AccessTable, SiteIn, anyone_of, only
from shared.identity import Role

ACCESS: AccessTable = {
    ("GET", "/cases"): anyone_of(STAFF),
    ("GET", "/cases/{case_number}"): anyone_of(STAFF),
    ("GET", "/tickets/{ticket_id}/escalations"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/cases/{case_number}/send"): only(Role.MANAGER),
    ("POST", "/cases/{case_number}/cancel"): only(Role.MANAGER),
    ("POST", "/cases/{case_number}/fixed"): only(Role.MANAGER),
    ("POST", "/cases/{case_number}/close"): only(Role.MANAGER),
    ("GET", "/directory/sites/{site_code}"): anyone_of(STAFF),
    ("GET", "/partners"): anyone_of(STAFF),
    ("GET", "/partners/{code}/agreement"): anyone_of(STAFF),
    ("PUT", "/partners/{code}/agreement"): only(),  # admin
}
