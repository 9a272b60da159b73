"""Who may call the notify service's routes (shared/access.py): the staff read what was told on a
ticket, a manager every notification and every contact, each person their own choices, and only an
administrator changes a contact."""

from shared.access import EVERYONE, STAFF, AccessTable, anyone_of, only
from shared.identity import Role

ACCESS: AccessTable = {
    ("GET", "/tickets/{ticket_id}/notifications"): anyone_of(STAFF),
    ("GET", "/notifications"): only(Role.MANAGER),
    ("GET", "/me/notifications"): anyone_of(EVERYONE),
    ("PUT", "/me/notifications"): anyone_of(EVERYONE),
    ("GET", "/contacts"): only(Role.MANAGER),
    ("PUT", "/contacts/{username}"): only(),
}
