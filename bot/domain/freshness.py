"""Freshness policy: how long each profile field stays current without a confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.profile import PROFILE_FIELDS
from bot.domain.yamlfile import read_mapping

DAYS_PER_MONTH = 30.4375
# Without a policy file (or a key of it): values stay current two years, and a consumer
# is not asked twice within a week.
DEFAULT_MONTHS = 24
DEFAULT_QUIET_DAYS = 7


class PolicyError(ValueError):
    """The freshness policy file is wrong; ``problems`` says what to fix."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class FreshnessPolicy:
    months: Mapping[str, float]
    quiet_days: int

    @classmethod
    def uniform(
        cls, months: float = DEFAULT_MONTHS, quiet_days: int = DEFAULT_QUIET_DAYS
    ) -> FreshnessPolicy:
        return cls({field: months for field in PROFILE_FIELDS}, quiet_days)

    def period_days(self, field: str) -> float:
        return self.months[field] * DAYS_PER_MONTH

    def is_stale(
        self, field: str, updated_at: datetime, confirmed_at: datetime | None, now: datetime
    ) -> bool:
        """Stale when neither the last update nor the last confirmation is within the period."""
        latest = max(updated_at, confirmed_at) if confirmed_at else updated_at
        return (now - latest).total_seconds() > self.period_days(field) * 86400


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def load_policy(path: Path) -> FreshnessPolicy:
    """Read and check the policy; unknown fields and non-positive durations are rejected."""
    try:
        raw = read_mapping(path)
    except ValueError as exc:
        raise PolicyError(path, [str(exc)]) from exc
    problems = []
    default = raw.get("default_months", DEFAULT_MONTHS)
    if not _positive(default):
        problems.append(f"default_months must be a positive number of months, not {default!r}")
    unknown = set(raw) - {"default_months", "fields", "quiet_days"}
    if unknown:
        problems.append(
            f"unknown key(s) {', '.join(sorted(unknown))} (known: default_months, fields, quiet_days)"
        )
    fields = raw.get("fields") or {}
    if not isinstance(fields, dict):
        problems.append(f"fields must map each field to a number of months, not {fields!r}")
        fields = {}
    for field, months in fields.items():
        if field not in PROFILE_FIELDS:
            problems.append(f"unknown field '{field}' (known: {', '.join(PROFILE_FIELDS)})")
        elif not _positive(months):
            problems.append(f"'{field}' must last a positive number of months, not {months!r}")
    quiet = raw.get("quiet_days", DEFAULT_QUIET_DAYS)
    if not isinstance(quiet, int) or isinstance(quiet, bool) or quiet < 0:
        problems.append(f"quiet_days must be a whole number of days, not {quiet!r}")
    if problems:
        raise PolicyError(path, problems)
    months = {f: float(fields.get(f, default)) for f in PROFILE_FIELDS}
    return FreshnessPolicy(months, quiet)
