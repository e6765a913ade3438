"""What the consumers' time is worth: the report's settings (``data/report.yml``)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from bot.tools.content.source import LineDict, Problem, load_located


@dataclass(frozen=True)
class ReportSettings:
    seconds_per_field: float = 20.0
    seconds_per_confirmation: float = 3.0
    seconds_per_review: float = 90.0
    hourly_rate: float = 25.0  # euros per hour, all charges included

    def overridden(self, **values: float | None) -> ReportSettings:
        """These settings with the values given on the command line (None: unchanged)."""
        return replace(self, **{k: float(v) for k, v in values.items() if v is not None})


KEYS = tuple(f.name for f in fields(ReportSettings))


class SettingsError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _read(path: Path) -> tuple[ReportSettings, list[Problem]]:
    doc, problems = load_located(path)
    if problems:
        return ReportSettings(), problems
    if doc is None:
        return ReportSettings(), []
    if not isinstance(doc, LineDict):
        return ReportSettings(), [
            Problem(path, 1, "les réglages doivent être une suite de clés", ", ".join(KEYS))
        ]
    values = {}
    for key, value in doc.items():
        if key not in KEYS:
            problems.append(
                Problem(
                    path,
                    doc.line_of(key),
                    f"réglage « {key} » inconnu, il serait ignoré",
                    "réglages possibles : " + ", ".join(KEYS),
                )
            )
        elif not _number(value):
            problems.append(
                Problem(
                    path,
                    doc.line_of(key),
                    f"{key} vaut `{value!r}`, ce n'est pas un nombre positif",
                    f"écrivez par exemple `{key}: {getattr(ReportSettings(), key):g}`",
                )
            )
        else:
            values[key] = float(value)
    return ReportSettings(**values), problems


def check_report_settings(path: Path) -> list[Problem]:
    return _read(path)[1]


def load_report_settings(path: Path) -> ReportSettings:
    """The settings in ``path`` (defaults when it does not exist); SettingsError if wrong."""
    if not path.exists():
        return ReportSettings()
    settings, problems = _read(path)
    if problems:
        raise SettingsError(problems)
    return settings
