"""Work done once when a process starts: tried again while it fails, then the worker idles (still
running, as the readiness check reads it) until the process stops."""

from __future__ import annotations

from shared.background import OnceAtStart
from testkit.waiting import eventually


class _Flaky(OnceAtStart):
    retry_seconds = 0.01

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures, self.tries, self.done = failures, 0, False

    async def _once(self) -> None:
        self.tries += 1
        if self.tries <= self.failures:
            raise ConnectionError("the database is away")
        self.done = True


async def test_work_at_start_is_tried_until_done_then_idles_until_stopped() -> None:
    worker = _Flaky(failures=2)
    worker.start()

    async def done() -> bool:
        return worker.done

    await eventually(done, what="the work done on its third try")
    assert (worker.tries, worker.running) == (3, True)
    await worker.stop()
    assert (worker.tries, worker.running) == (3, False)
