"""Who may call the webhooks service's routes (shared/access.py): an administrator anywhere, a customer's
representative for its own site only (the handlers check the subscription's site)."""

from shared.access import AccessTable, SiteIn, only
from shared.identity import Role

ACCESS: AccessTable = {
    ("POST", "/subscriptions"): only(Role.CUSTOMER),
    ("GET", "/subscriptions"): only(Role.CUSTOMER, site=SiteIn.QUERY),
    ("DELETE", "/subscriptions/{subscription_id}"): only(Role.CUSTOMER),
    ("POST", "/subscriptions/{subscription_id}/resume"): only(Role.CUSTOMER),
    ("GET", "/subscriptions/{subscription_id}/deliveries"): only(Role.CUSTOMER),
    ("POST", "/deliveries/{delivery_id}/replay"): only(Role.CUSTOMER),
}
