"""/readyz tells the truth quickly: with the broker out of reach it answers within 200 ms that neither
the broker nor the consumers are there, and it is ready again once the broker is back."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from shared.tests.conftest import Probe
from testkit.cut import cuttable
from testkit.waiting import eventually


async def test_readiness_answers_fast_and_true_through_a_broker_outage(probe: Probe) -> None:
    url = urlsplit(probe.world.amqp_url)
    assert url.hostname is not None
    async with cuttable(url.hostname, url.port or 5672) as broker:
        through = urlunsplit(url._replace(netloc=url.netloc.replace(f":{url.port or 5672}", f":{broker.port}")))
        runtime = probe.runtime(amqp_url=through)
        await runtime.start()
        try:
            assert all((await runtime.readiness()).values())

            broker.sever()

            async def broker_missed() -> bool:
                return not (await runtime.readiness())["broker"]

            await eventually(broker_missed, timeout=10, what="the broker's loss noticed")
            started = time.perf_counter()
            checks = await runtime.readiness()
            took = time.perf_counter() - started
            assert checks["database"]
            assert not checks["broker"]
            assert not checks["consumers"]
            assert took < 0.2, f"readiness took {took * 1000:.0f} ms"

            broker.restore()

            async def ready_again() -> bool:
                return all((await runtime.readiness()).values())

            await eventually(ready_again, timeout=30, what="ready again after the broker came back")
        finally:
            await runtime.stop()
