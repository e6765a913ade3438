"""Shared test plumbing: measurements worth reading are printed in pytest's summary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

_MEASUREMENTS: list[str] = []


@pytest.fixture
def report() -> Callable[[str], None]:
    """Print a line in the final summary of the run (e.g. the NLU accuracy)."""
    return _MEASUREMENTS.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _MEASUREMENTS:
        terminalreporter.section("Merci measurements")
        for line in _MEASUREMENTS:
            terminalreporter.write_line(line)
