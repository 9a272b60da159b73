"""The mailbox worker: one reader per configured mailbox (INTAKE_MAILBOXES), each handing every new mail
to `take` in the transaction that records its place and flagging or moving it on the server only after
that commit (mailbox_reader.py says which mails and why). Any number of intake processes may run it: one
reads each mailbox at a time, the others wait to take over. None configured, it reads nothing.

Each mailbox's state is in the readiness answer's `reports` (never a reason to refuse work: the API is
as ready without its mailbox), only its state there, for /readyz answers anyone: no error (which names the
mailbox's user and what its server said; those are in the log). The metrics: `intake_mailbox_connected`,
`intake_mailbox_backlog`, `intake_mailbox_last_poll_timestamp_seconds`, `intake_mailbox_failures_in_a_row`,
`intake_mail_taken_total`, `intake_mail_failed_total`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, cast

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from services.intake.mail.mailbox_contract import Take
from services.intake.mail.mailbox_reader import MailboxReader, Pace
from services.intake.settings import IntakeSettings
from shared.background import BackgroundLoop
from shared.persistence.service_database import ServiceDatabase
from shared.service import WorkerFactory
from shared.settings import ServiceSettings

DEFAULT_PACE = Pace()


class MailboxWorker(BackgroundLoop):
    task_name = "mailbox worker"

    def __init__(
        self, database: ServiceDatabase, settings: IntakeSettings, take: Take, pace: Pace = DEFAULT_PACE
    ) -> None:
        super().__init__()
        self.readers = [MailboxReader(mailbox, database, settings, take, pace) for mailbox in settings.mailboxes]

    async def _run(self) -> None:
        if not self.readers:
            await self.stopping.wait()
            return
        await asyncio.gather(*(reader.run(self.stopping) for reader in self.readers))

    def report(self) -> dict[str, Any]:
        """Each mailbox's state, for the (public) readiness answer: nothing of its user or its errors."""
        return {
            f"mailbox:{reader.state.name}": {
                "status": reader.state.status,
                "connected": reader.state.connected,
                "last_poll_at": reader.state.last_poll_at.isoformat() if reader.state.last_poll_at else None,
                "backlog": reader.state.backlog,
            }
            for reader in self.readers
        }

    def register_metrics(self, registry: CollectorRegistry) -> None:
        registry.register(_MailboxMetrics(self))


class _MailboxMetrics(Collector):
    """Read from the readers' states at each scrape."""

    def __init__(self, worker: MailboxWorker) -> None:
        self.worker = worker

    def collect(self) -> Iterator[Metric]:
        states = [reader.state for reader in self.worker.readers]
        label = ["mailbox"]
        families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {
            "connected": GaugeMetricFamily("intake_mailbox_connected", "1 while this process reads it", labels=label),
            "backlog": GaugeMetricFamily("intake_mailbox_backlog", "New mails seen at the last look", labels=label),
            "last_poll": GaugeMetricFamily(
                "intake_mailbox_last_poll_timestamp_seconds", "When it was last looked at", labels=label
            ),
            "failures": GaugeMetricFamily(
                "intake_mailbox_failures_in_a_row",
                "Connections or sessions failed since the last good one",
                labels=label,
            ),
            "taken": CounterMetricFamily("intake_mail_taken", "Mails taken by this process", labels=label),
            "failed": CounterMetricFamily("intake_mail_failed", "Mails given up by this process", labels=label),
        }
        for state in states:
            families["connected"].add_metric([state.name], 1.0 if state.connected else 0.0)
            families["backlog"].add_metric([state.name], state.backlog)
            families["last_poll"].add_metric([state.name], state.last_poll_at.timestamp() if state.last_poll_at else 0)
            families["failures"].add_metric([state.name], state.failures)
            families["taken"].add_metric([state.name], state.taken)
            families["failed"].add_metric([state.name], state.failed)
        yield from families.values()


def mailbox_workers(take_for: Callable[[IntakeSettings], Take], pace: Pace = DEFAULT_PACE) -> WorkerFactory:
    """The worker factory for the service's definition, with what a mail becomes under the settings the
    process runs with (`take_for`: taking.taker)."""

    def factory(database: ServiceDatabase, settings: ServiceSettings) -> MailboxWorker:
        intake = cast(IntakeSettings, settings)
        return MailboxWorker(database, intake, take_for(intake), pace)

    return factory
