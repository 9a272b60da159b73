"""Who may call intake's routes (shared/access.py)."""

from shared.access import EVERYONE, STAFF, AccessTable, SiteIn, anyone_of, only
from shared.identity import Role

OPERATOR, MANAGER, ENGINEER, QUALITY, CUSTOMER = (
    Role.OPERATOR, Role.MANAGER, Role.ENGINEER, Role.QUALITY, Role.CUSTOMER
)  # fmt: skip

ACCESS: AccessTable = {
    ("GET", "/sites"): anyone_of(STAFF),
    ("GET", "/sites/{site_code}/equipment"): anyone_of(EVERYONE, SiteIn.PATH),
    ("POST", "/sites/{site_code}/equipment"): only(MANAGER),
    ("GET", "/sites/{site_code}/equipment/export"): anyone_of(EVERYONE, SiteIn.PATH),
    ("POST", "/sites/{site_code}/equipment/import"): only(MANAGER),
    ("GET", "/sites/{site_code}/equipment/{asset_tag}"): anyone_of(EVERYONE, SiteIn.PATH),
    ("PATCH", "/sites/{site_code}/equipment/{asset_tag}"): only(MANAGER),
    ("POST", "/sites/{site_code}/equipment/{asset_tag}/retire"): only(MANAGER),
    ("GET", "/sites/{site_code}/contracts"): anyone_of(EVERYONE, SiteIn.PATH),
    ("PUT", "/sites/{site_code}/contracts/{code}"): only(MANAGER),
    ("GET", "/sites/{site_code}/coverage"): anyone_of(EVERYONE, SiteIn.PATH),
    ("GET", "/serials/{serial_number}"): anyone_of(STAFF),
    ("GET", "/sites/{site_code}/serials"): anyone_of(EVERYONE, SiteIn.PATH),
    # A customer may report a fault of its own site: the handler checks the site in the body.
    ("GET", "/requests/preview"): only(OPERATOR, MANAGER, ENGINEER, CUSTOMER, site=SiteIn.QUERY),
    ("POST", "/requests"): only(OPERATOR, MANAGER, ENGINEER, CUSTOMER),
    ("GET", "/tickets/{ticket_id}"): anyone_of(EVERYONE, SiteIn.TICKET),
    ("POST", "/tickets/{ticket_id}/reclassify"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/rejections"): only(OPERATOR, MANAGER),
    # The e-mail hotline's mails: the office's, as the phone hotline's calls are.
    ("GET", "/mail"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/mail/{mail_id}"): only(OPERATOR, MANAGER, QUALITY),
    ("GET", "/mail/{mail_id}/attachments/{number}"): only(OPERATOR, MANAGER, QUALITY),
    ("POST", "/mail/{mail_id}/ticket"): only(OPERATOR, MANAGER),
    ("POST", "/mail/{mail_id}/add-to-ticket"): only(OPERATOR, MANAGER),
    ("POST", "/mail/{mail_id}/dismiss"): only(OPERATOR, MANAGER),
}
