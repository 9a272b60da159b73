"""The figures the tests measure (recovery after a fault, a failover, the fuzzing's counts), printed
together in a section at the end of every run, passing or not. pytest hides a passing test's output,
so figures printed where they are measured would never reach CI's log.

A test calls `report(...)` with its lines; the root conftest.py registers this module as a plugin."""

from __future__ import annotations

import os
from itertools import groupby

import pytest

_reported: list[tuple[str, str]] = []


def report(text: str) -> None:
    """Keep these lines under the name of the test that is running."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "outside any test").rsplit(" (", 1)[0]
    _reported.append((test, text))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _reported:
        return
    terminalreporter.section("figures the tests measured")
    for test, kept in groupby(_reported, key=lambda pair: pair[0]):
        terminalreporter.write_line(test)
        for _, text in kept:
            for line in text.strip("\n").splitlines():
                terminalreporter.write_line(f"  {line}")
