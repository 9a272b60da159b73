"""Who may call the SLA service's routes (shared/access.py)."""

from shared.access import EVERYONE, STAFF, AccessTable, SiteIn, anyone_of, only
from shared.identity import Role

ACCESS: AccessTable = {
    ("GET", "/tickets/{ticket_id}/clocks"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("GET", "/clocks"): anyone_of(EVERYONE, SiteIn.QUERY),
    ("GET", "/policies"): anyone_of(STAFF),
    ("GET", "/policies/{code}"): anyone_of(STAFF),
    ("PUT", "/policies/{code}"): only(),  # admin
    ("GET", "/policies/{code}/calendar"): anyone_of(STAFF),
    ("GET", "/sites/{site_code}/policy"): anyone_of(EVERYONE, SiteIn.PATH),
    ("PUT", "/sites/{site_code}/policy"): only(),  # admin
    ("GET", "/reports/monthly"): only(Role.MANAGER, Role.QUALITY),
    ("GET", "/reports/vendors"): only(Role.MANAGER, Role.QUALITY),
}
