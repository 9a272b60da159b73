"""Who may call the console's routes (shared/access.py)."""

from shared.access import EVERYONE, PUBLIC, AccessTable, anyone_of, only

ACCESS: AccessTable = {
    ("POST", "/token"): PUBLIC,
    ("GET", "/me"): anyone_of(EVERYONE),
    ("GET", "/people"): only(),  # admin
    ("PUT", "/people/{username}"): only(),  # admin
}
