"""Shared test plumbing: measurements worth reading are printed in pytest's summary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

# Sanic's app module puts a "once" filter for DeprecationWarning in front of every other
# at import. Imported here, before collection, it comes before pytest's filters, so the
# filterwarnings of pyproject.toml keep third-party deprecation noise out of the summary.
import sanic.app  # noqa: F401, E402

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
