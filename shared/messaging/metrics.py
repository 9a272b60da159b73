"""Prometheus metrics of the messaging kernel, one registry per service process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class KernelMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.consumed = Counter(
            "aftercare_messages_consumed_total",
            "Deliveries by queue, type and outcome (processed, duplicate, retried, dead_lettered, requeued).",
            ["queue", "type", "outcome"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "aftercare_handler_seconds",
            "Time to apply a message: its handler, in its window's transaction.",
            ["queue", "type"],
            registry=registry,
        )
        self.window_size = Histogram(
            "aftercare_window_messages",
            "Messages handled in one transaction (a window of deliveries committed together).",
            ["queue"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=registry,
        )
        self.outbox_published = Counter(
            "aftercare_outbox_published_total", "Outbox messages confirmed by the broker.", registry=registry
        )
        self.outbox_lag_seconds = Histogram(
            "aftercare_outbox_lag_seconds",
            "From outbox commit to broker confirm.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "aftercare_outbox_pending", "Unpublished outbox rows at the last check.", registry=registry
        )
