"""Who may call the archive's routes (shared/access.py). A register is signed for the integrator by the
service manager and for the customer by its representative; the signing checks the party."""

from shared.access import EVERYONE, AccessTable, SiteIn, anyone_of, only
from shared.identity import Role

ACCESS: AccessTable = {
    # The assigned engineer, a manager, or the customer of the ticket's site (photos of what they report).
    ("POST", "/tickets/{ticket_id}/photos"): only(Role.ENGINEER, Role.MANAGER, Role.CUSTOMER, site=SiteIn.TICKET),
    ("GET", "/tickets/{ticket_id}/photos"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/sites/{site_code}/registers"): only(Role.MANAGER),
    ("GET", "/sites/{site_code}/registers"): anyone_of(EVERYONE, SiteIn.PATH),
    ("POST", "/sites/{site_code}/registers/acceptance"): only(Role.MANAGER),
    ("GET", "/registers/{code}"): anyone_of(EVERYONE, SiteIn.CODE),
    ("POST", "/registers/{code}/signatures"): only(Role.MANAGER, Role.CUSTOMER, site=SiteIn.CODE),
    ("GET", "/tickets/{ticket_id}/timeline"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("GET", "/documents"): anyone_of(EVERYONE, SiteIn.QUERY),
    ("GET", "/tickets"): anyone_of(EVERYONE, SiteIn.QUERY),
    # A site's service report: the office's, and the customer's of their own site.
    ("GET", "/reports/service"): only(Role.MANAGER, Role.QUALITY, Role.CUSTOMER, site=SiteIn.QUERY),
    ("GET", "/reports/service.pdf"): only(Role.MANAGER, Role.QUALITY, Role.CUSTOMER, site=SiteIn.QUERY),
    ("GET", "/sites/{site_code}/catalogue"): anyone_of(EVERYONE, SiteIn.PATH),
    ("GET", "/documents/{code}"): anyone_of(EVERYONE, SiteIn.CODE),
    ("GET", "/documents/{code}/content"): anyone_of(EVERYONE, SiteIn.CODE),
    ("GET", "/documents/{code}/pdf"): anyone_of(EVERYONE, SiteIn.CODE),
}
