"""Who may call dispatch's routes (shared/access.py). An engineer moves only the tickets assigned to
them; the moves check that beyond the table."""

from shared.access import EVERYONE, STAFF, AccessTable, SiteIn, anyone_of, only
from shared.identity import Role

OPERATOR, MANAGER, ENGINEER, QUALITY = Role.OPERATOR, Role.MANAGER, Role.ENGINEER, Role.QUALITY

ACCESS: AccessTable = {
    ("GET", "/queues/awaiting-assignment"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/queues/at-risk"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/reports/tickets"): only(MANAGER, QUALITY),
    ("GET", "/tickets/{ticket_id}/candidates"): only(OPERATOR, MANAGER),
    ("POST", "/tickets/{ticket_id}/assign"): only(MANAGER),
    ("POST", "/tickets/{ticket_id}/notes"): only(OPERATOR, MANAGER, ENGINEER, QUALITY),
    ("POST", "/tickets/{ticket_id}/links"): only(OPERATOR, MANAGER, QUALITY),
    ("POST", "/tickets/{ticket_id}/comments"): only(Role.CUSTOMER, site=SiteIn.TICKET),
    ("POST", "/tickets/{ticket_id}/follow-up/answer"): only(Role.CUSTOMER, site=SiteIn.TICKET),
    ("GET", "/engineers"): anyone_of(STAFF),
    ("GET", "/sites/{site_code}/roster"): anyone_of(STAFF),
    ("GET", "/sites/{site_code}/location"): anyone_of(STAFF),
    ("GET", "/engineers/{engineer_id}/duty"): anyone_of(STAFF),
    ("POST", "/engineers/{engineer_id}/duty"): only(MANAGER),
    ("DELETE", "/engineers/{engineer_id}/duty/{period_id}"): only(MANAGER),
    ("POST", "/tickets/{ticket_id}/escalate"): only(ENGINEER, MANAGER),
    ("GET", "/tickets/{ticket_id}/escalations"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/tickets/{ticket_id}/swaps"): only(ENGINEER, MANAGER),
    ("GET", "/follow-ups"): only(OPERATOR, MANAGER, QUALITY),
    ("POST", "/tickets/{ticket_id}/follow-up"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/tickets/{ticket_id}/follow-up"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/sites/{site_code}/reviews"): only(MANAGER, QUALITY),
    ("GET", "/sites/{site_code}/reviews"): anyone_of(EVERYONE, SiteIn.PATH),
    ("GET", "/quality/cases"): only(QUALITY, MANAGER),
    ("GET", "/quality/cases/{case_id}"): only(QUALITY, MANAGER),
    ("POST", "/quality/cases/{case_id}/take"): only(QUALITY, MANAGER),
    ("POST", "/quality/cases/{case_id}/escalate"): only(QUALITY, MANAGER),
    ("POST", "/quality/cases/{case_id}/answer"): only(QUALITY, MANAGER),
    ("GET", "/sites/{site_code}/inspection-plans"): anyone_of(EVERYONE, SiteIn.PATH),
    ("PUT", "/sites/{site_code}/inspection-plans/{code}"): only(MANAGER),
    ("GET", "/inspections/visits"): anyone_of(STAFF),
    ("GET", "/inspections/visits/{visit_id}/results"): anyone_of(STAFF),
    ("POST", "/inspections/visits/{visit_id}/results"): only(ENGINEER, MANAGER),
    ("POST", "/inspections/visits/{visit_id}/appointment"): only(OPERATOR, MANAGER, ENGINEER),
    ("POST", "/tickets/{ticket_id}/appointment"): only(OPERATOR, MANAGER, ENGINEER),
    ("GET", "/engineers/{engineer_id}/day"): anyone_of(STAFF),
    ("GET", "/tickets"): anyone_of(EVERYONE, SiteIn.QUERY),
    ("GET", "/arrivals"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/lifecycle"): anyone_of(STAFF),
    ("GET", "/tickets/{ticket_id}"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/tickets/{ticket_id}/{action}"): only(ENGINEER, MANAGER, OPERATOR, QUALITY),
    ("GET", "/tickets/{ticket_id}/history"): anyone_of(EVERYONE, SiteIn.TICKET),
}
