"""What bench/load.py prints of a step: the latencies, the CPU per ticket of each process, the events
and handlings per ticket, the memory; the idle suite's CPU; and a step measured again with the tickets
of many years stored beside it."""

from __future__ import annotations

from typing import Any

from load_client import CLOCKS_PER_TICKET, MILESTONES  # beside this file
from load_figures import percentile


def summarise(result: dict[str, Any], cpu: dict[str, float], rate: float, seconds: float) -> dict[str, Any]:
    posts, seen = result["posts"], result["seen"]
    accepted = [p for p in posts if p["ticket"]]
    first, last = min(p["sent"] for p in posts), max(p["answered"] for p in posts)
    latency: dict[str, list[float]] = {"POST": [(p["answered"] - p["sent"]) * 1000 for p in accepted]}
    for milestone in MILESTONES:
        latency[milestone] = [
            (min(seen[p["ticket"]][milestone]) - p["sent"]) * 1000
            for p in accepted
            if milestone in seen.get(p["ticket"], {})
        ]
    behind = [
        p["ticket"]
        for p in accepted
        if not (
            seen.get(p["ticket"], {}).get("ticket.assigned")
            and seen[p["ticket"]].get("document.archived")
            and len(seen[p["ticket"]].get("sla.clocks_started", [])) >= CLOCKS_PER_TICKET  # one moment per clock
        )
    ]
    return {
        "rate": rate, "offered": len(posts), "accepted": len(accepted), "refused": len(posts) - len(accepted),
        "accepted_per_s": len(accepted) / max(last - first, seconds), "latency": latency, "cpu": cpu,
        "behind": len(behind), "published": result["published"], "handled": result["handled"],
        "refusals": sorted({str(p["status"]) for p in posts if not p["ticket"]}),
    }  # fmt: skip


def report_idle(cpu: dict[str, float], seconds: float) -> None:
    shares = "  ".join(f"{name} {spent * 1000 / seconds:.1f}" for name, spent in cpu.items())
    print(f"\nidle for {seconds:.0f} s, CPU ms per second: {shares}; all {sum(cpu.values()) * 1000 / seconds:.1f}")


def hot_path_cpu(row: dict[str, Any]) -> float:
    """CPU seconds of the suite, broker and database, without the load client and the PDFs typeset
    after filing (which no person waits for)."""
    return float(sum(seconds for name, seconds in row["cpu"].items() if name not in ("client", "typesetting")))


def cpu_with_typesetting(row: dict[str, Any]) -> float:
    return hot_path_cpu(row) + float(row["cpu"].get("typesetting", 0.0))


SUSTAINED_P99_MS = 250
"""A step is sustained when p99 POST -> assigned stays under this, nothing refused and nothing left behind."""


def report(row: dict[str, Any]) -> None:
    print(
        f"\n{row['rate']:.0f} requests/s offered: {row['accepted']} of {row['offered']} accepted "
        f"({row['accepted_per_s']:.1f}/s), {row['behind']} without their assignment, clocks or record"
        + (f"; refused with {', '.join(row['refusals'])}" if row["refusals"] else "")
    )
    print(f"  {'ms':<20}{'p50':>9}{'p90':>9}{'p99':>9}")
    for name, values in row["latency"].items():
        label = "POST" if name == "POST" else f"POST -> {name.split('.')[1]}"
        p50, p90, p99 = (percentile(values, f) for f in (0.5, 0.9, 0.99))
        print(f"  {label:<20}{p50:>9.1f}{p90:>9.1f}{p99:>9.1f}")
    tickets = max(row["accepted"], 1)
    shares = "  ".join(f"{name} {seconds * 1000 / tickets:.1f}" for name, seconds in row["cpu"].items())
    total = hot_path_cpu(row) * 1000 / tickets
    print(f"  CPU ms per ticket: {shares}; suite, broker and database without typesetting: {total:.1f}")
    events = sorted(row["published"].items(), key=lambda item: -item[1])
    per_ticket = sum(row["published"].values()) / tickets
    print(f"  events per ticket: {per_ticket:.1f} (" + ", ".join(f"{t} {n / tickets:.1f}" for t, n in events) + ")")
    print(f"  CPU ms per ticket with typesetting: {cpu_with_typesetting(row) * 1000 / tickets:.1f}")
    print("  resident MiB after the step: " + ", ".join(f"{n} {mib:.0f}" for n, mib in row["resident"].items()))
    queues = sorted(row["handled"].items(), key=lambda item: -item[1])
    handled_per_ticket = sum(row["handled"].values()) / tickets
    print(
        f"  messages handled in a transaction per ticket: {handled_per_ticket:.1f} ("
        + ", ".join(f"{q} {n / tickets:.1f}" for q, n in queues)
        + ")"
    )


def report_stored(before: dict[str, Any], after: dict[str, Any]) -> None:
    """The step again with the stored tickets, beside its first run: the issue asks within 20%."""

    def figures(row: dict[str, Any]) -> tuple[float, float, float]:
        tickets = max(row["accepted"], 1)
        latency = row["latency"]
        return (
            percentile(latency["ticket.assigned"], 0.99),
            percentile(latency["document.archived"], 0.99),
            cpu_with_typesetting(row) * 1000 / tickets,
        )

    then, now = figures(before), figures(after)
    named = ("p99 POST->assigned ms", "p99 POST->archived ms", "CPU ms per ticket with typesetting")
    print(
        f"  stored beside, {after['rate']:.0f}/s: "
        + "; ".join(
            f"{name} {b:.1f} against {a:.1f} ({b / a:.2f}x)" for name, a, b in zip(named, then, now, strict=True)
        )
    )
