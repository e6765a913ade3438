"""What the consumers' time is worth: the report's assumptions (``data/report.yml``).

The file is ``get_settings().report_assumptions_path`` (``MERCI_REPORT_PATH``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from bot.tools.content.source import LineDict, Problem, load_located


@dataclass(frozen=True)
class ReportAssumptions:
    seconds_per_field: float = 20.0
    seconds_per_confirmation: float = 3.0
    seconds_per_review: float = 90.0
    hourly_rate: float = 25.0  # euros per hour, all charges included

    def overridden(self, **values: float | None) -> ReportAssumptions:
        """These assumptions with the values given on the command line (None: unchanged)."""
        return replace(self, **{k: float(v) for k, v in values.items() if v is not None})


KEYS = tuple(f.name for f in fields(ReportAssumptions))


class AssumptionsError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _problem(path: Path, line: int, key: str, value: Any) -> Problem | None:
    if key not in KEYS:
        return Problem(
            path,
            line,
            f"réglage « {key} » inconnu, il serait ignoré",
            "réglages possibles : " + ", ".join(KEYS),
        )
    if not _number(value):
        return Problem(
            path,
            line,
            f"{key} vaut `{value!r}`, ce n'est pas un nombre positif",
            f"écrivez par exemple `{key}: {getattr(ReportAssumptions(), key):g}`",
        )
    return None


def _read(path: Path) -> tuple[ReportAssumptions, list[Problem]]:
    doc, problems = load_located(path)
    if problems:
        return ReportAssumptions(), problems
    if doc is None:
        return ReportAssumptions(), []
    if not isinstance(doc, LineDict):
        return ReportAssumptions(), [
            Problem(path, 1, "les réglages doivent être une suite de clés", ", ".join(KEYS))
        ]
    values = {}
    for key, value in doc.items():
        problem = _problem(path, doc.line_of(key), key, value)
        if problem is None:
            values[key] = float(value)
        else:
            problems.append(problem)
    return ReportAssumptions(**values), problems


def check_assumptions(path: Path) -> list[Problem]:
    """Every problem in the assumptions file (empty when all is well)."""
    return _read(path)[1]


def load_assumptions(path: Path) -> ReportAssumptions:
    """The assumptions in ``path`` (defaults when it does not exist); AssumptionsError if wrong."""
    if not path.exists():
        return ReportAssumptions()
    assumptions, problems = _read(path)
    if problems:
        raise AssumptionsError(problems)
    return assumptions
