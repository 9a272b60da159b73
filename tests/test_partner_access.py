"""A partner's access ends when it is taken away, over the real broker, through the command line an
operator runs: `aftercare partners rotate` closes the partner's open connections (one left open would go
on publishing under the old password) and the old password opens none; `aftercare partners disable`
closes them and the partner's user opens none at all; `aftercare partners add` gives a password that opens
the partner's own queue, and refuses terms no deadline can be worked out from."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika

from services.vendor.partner_topology import broker_user, requests_queue
from testkit.machine import BROKER_ADMIN_URL
from testkit.partners import forget_partner, new_partner_code, onboarded, refused_connection
from testkit.waiting import eventually
from testkit.world import World


def _partners(world: World, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **world.environment(), "AFTERCARE_PROVISION_BROKER_URL": BROKER_ADMIN_URL}
    return subprocess.run(
        [sys.executable, "-m", "services", "partners", *arguments],
        env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _with_password(amqp_url: str, user: str, password: str) -> str:
    parts = urlsplit(amqp_url)
    netloc = f"{user}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


class Watched:
    """An open connection, and why the broker closed it once it has."""

    def __init__(self, connection: aio_pika.abc.AbstractConnection) -> None:
        self.connection = connection
        self.why: str | None = None
        connection.close_callbacks.add(self._closed)

    def _closed(self, _: object, error: BaseException | None = None) -> None:
        self.why = str(error)

    async def closed(self) -> str | None:
        return self.why


async def test_rotating_and_disabling_a_partner_close_its_open_connections(seeded: World) -> None:
    async with onboarded(seeded) as partner:
        user = broker_user(partner.code)
        before = Watched(await aio_pika.connect(partner.amqp_url))
        rotated = await asyncio.to_thread(_partners, seeded, "rotate", partner.code)
        assert rotated.returncode == 0, rotated.stderr
        prefix = f"new password of {user}: "
        assert rotated.stdout.startswith(prefix), rotated.stdout
        password = rotated.stdout.removeprefix(prefix).split()[0]

        why = await eventually(before.closed, timeout=10, what="the connection opened with the old password closed")
        assert why is not None
        assert "password rotated" in why
        assert "ACCESS_REFUSED" in await refused_connection(partner.amqp_url)  # the old password
        renewed = _with_password(partner.amqp_url, user, password)
        after = Watched(await aio_pika.connect(renewed))
        assert after.why is None

        disabled = await asyncio.to_thread(_partners, seeded, "disable", partner.code)
        assert (disabled.returncode, disabled.stdout.strip()) == (0, f"partner {partner.code} disabled"), (
            disabled.stderr
        )
        why = await eventually(after.closed, timeout=10, what="the partner's connection closed when disabled")
        assert why is not None
        assert "access revoked" in why
        await refused_connection(renewed)  # no access to the virtual host any more


async def test_a_partner_added_from_the_command_line_can_take_its_queue_and_nothing_beyond_its_terms(
    seeded: World,
) -> None:
    """`aftercare partners add` as an operator runs it: the password it shows once opens the partner's own
    queue; an agreement no deadline can be worked out from is refused before anything is made."""
    code = new_partner_code()
    try:
        endless = await asyncio.to_thread(
            _partners, seeded, "add", code, "--name", "Endless Ltd", "--repair-working-days", "100000"
        )
        assert endless.returncode == 1, endless.stdout
        assert "refused: no term of an agreement is longer than a year" in endless.stderr
        assert "ACCESS_REFUSED" in await refused_connection(_with_password(seeded.amqp_url, broker_user(code), "x"))

        added = await asyncio.to_thread(_partners, seeded, "add", code, "--name", "Harman China", "--phone", "400")
        assert added.returncode == 0, added.stderr
        [password] = [line.split()[1] for line in added.stdout.splitlines() if line.strip().startswith("password:")]
        connection = await aio_pika.connect(_with_password(seeded.amqp_url, broker_user(code), password))
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(requests_queue(code), ensure=True)
            assert await queue.get(fail=False) is None  # its own queue, there and open to it
    finally:
        await asyncio.to_thread(forget_partner, seeded, code)
