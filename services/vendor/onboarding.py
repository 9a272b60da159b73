"""Onboarding vendor partners, from the command line: each gets a broker user of its own (a random
password, shown once), its queues, and exactly the permissions to read them and to publish its own
replies, plus its partner record and agreement; its password can be rotated, and it can be disabled.

A partner's user may not declare or bind anything (configure: nothing), may publish only to the replies
exchange and there only with routing keys that start with its code (a topic permission), and may read
only its own two queues. The broker refuses anything else itself, and holds a partner to a few
connections and channels (`PARTNER_LIMITS`) and, like everyone, to messages of at most 1 MiB
(`max_message_size`): a partner's system gone wrong cannot take the broker's memory.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import unquote, urlsplit

from services.vendor.db import repository
from services.vendor.domain.agreements import check_terms
from services.vendor.partner_topology import (
    PARTNER_CODE,
    REPLIES_EXCHANGE,
    broker_user,
    declare_partner,
    errors_queue,
    requests_queue,
)
from shared.contracts import Agreement, Contact
from shared.persistence.service_database import ServiceDatabase
from shared.provisioning.broker import BrokerAdmin, BrokerPermissions
from shared.refusals import Refused

# What one partner's system may hold open at once: enough for a few processes each with a channel to
# consume and one to publish; past it the broker refuses the connection or channel, saying why.
PARTNER_LIMITS = {"max-connections": 10, "max-channels": 30}


def partner_permissions(code: str) -> BrokerPermissions:
    own_queues = "|".join(re.escape(q) for q in (requests_queue(code), errors_queue(code)))
    return BrokerPermissions(configure="^$", write=f"^{re.escape(REPLIES_EXCHANGE)}$", read=f"^({own_queues})$")


def _vhost(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


async def add_partner(
    database: ServiceDatabase,
    *,
    admin_api_url: str,
    amqp_url: str,
    code: str,
    name: str,
    contacts: list[Contact],
    agreement: Agreement,
) -> str:
    """Onboard a partner (again: its password is renewed); returns its new password."""
    if not PARTNER_CODE.fullmatch(code):
        raise Refused("invalid_code", "a partner code is lower-case letters, digits and dashes, e.g. bosch-cn")
    check_terms(agreement)
    password = secrets.token_urlsafe(24)
    user = broker_user(code)
    await declare_partner(amqp_url, code)
    with BrokerAdmin(admin_api_url) as admin:
        admin.put_user(user, password)
        admin.limit_user(user, PARTNER_LIMITS)
        admin.allow(_vhost(amqp_url), user, partner_permissions(code))
        admin.allow_topics(_vhost(amqp_url), user, REPLIES_EXCHANGE, write=f"^{re.escape(code)}\\.", read="^$")
    async with database.unit_of_work() as uow:
        await repository.add_partner(uow.connection, code=code, name=name, contacts=contacts, broker_user=user)
        await repository.save_agreement(uow.connection, code, agreement)
    return password


async def rotate_password(database: ServiceDatabase, *, admin_api_url: str, code: str) -> str:
    """A new password for the partner's broker user; its open connections are closed, so that none goes
    on publishing under the old one."""
    async with database.connect() as connection:
        if await repository.partner(connection, code) is None:
            raise Refused("unknown_partner", f"no partner {code!r}")
    password = secrets.token_urlsafe(24)
    with BrokerAdmin(admin_api_url) as admin:
        admin.put_user(broker_user(code), password)
        admin.limit_user(broker_user(code), PARTNER_LIMITS)  # a partner onboarded before the limits, too
        admin.close_connections(broker_user(code), "password rotated: connect again with the new one")
    return password


async def disable(database: ServiceDatabase, *, admin_api_url: str, amqp_url: str, code: str) -> None:
    """The partner can no longer connect to its queues or reply; what waits in its queue stays there."""
    async with database.unit_of_work() as uow:
        if not await repository.set_active(uow.connection, code, False):
            raise Refused("unknown_partner", f"no partner {code!r}")
    with BrokerAdmin(admin_api_url) as admin:
        admin.revoke(_vhost(amqp_url), broker_user(code))
