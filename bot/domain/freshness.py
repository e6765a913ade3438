"""Freshness policy: how long each profile field stays current without a confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.mistakes import Code, Mistake, Place, unknown_keys
from bot.domain.mistakes_fr import POLICY_HEADING, report
from bot.domain.profile import PROFILE_FIELDS
from bot.domain.yamlfile import YamlFileError, read_mapping

DAYS_PER_MONTH = 30.4375
# Without a policy file (or a key of it): values stay current two years, and a consumer
# is not asked twice within a week.
DEFAULT_MONTHS = 24
DEFAULT_QUIET_DAYS = 7
POLICY_KEYS = ("default_months", "fields", "quiet_days")


class PolicyError(ValueError):
    """The freshness policy file is wrong; ``problems`` lists each mistake (worded in
    ``bot.domain.mistakes_fr``)."""

    def __init__(self, path: Path, problems: list[Mistake]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(report(path, POLICY_HEADING, problems))


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


def _check_fields(fields: Any) -> list[Mistake]:
    if not isinstance(fields, dict):
        return [Mistake(Code.FIELDS_NOT_A_MAPPING, Place(("fields",)), {"value": fields})]
    problems = []
    for field, months in fields.items():
        place = Place(("fields", field))
        if field not in PROFILE_FIELDS:
            values = {"field": field, "known": PROFILE_FIELDS}
            problems.append(Mistake(Code.UNKNOWN_FIELD, place, values))
        elif not _positive(months):
            values = {"field": field, "value": months}
            problems.append(Mistake(Code.NON_POSITIVE_MONTHS, place, values))
    return problems


def load_policy(path: Path) -> FreshnessPolicy:
    """Read and check the policy; unknown fields and non-positive durations are rejected."""
    not_a_mapping = Mistake(Code.POLICY_NOT_A_MAPPING, values={"keys": POLICY_KEYS})
    try:
        raw = read_mapping(path, not_a_mapping)
    except YamlFileError as exc:
        raise PolicyError(path, [exc.mistake]) from exc
    problems = []
    default = raw.get("default_months", DEFAULT_MONTHS)
    if not _positive(default):
        place = Place(("default_months",))
        problems.append(Mistake(Code.NON_POSITIVE_DEFAULT_MONTHS, place, {"value": default}))
    problems += unknown_keys(raw, POLICY_KEYS)
    fields = raw.get("fields") or {}
    problems += _check_fields(fields)
    quiet = raw.get("quiet_days", DEFAULT_QUIET_DAYS)
    if not isinstance(quiet, int) or isinstance(quiet, bool) or quiet < 0:
        problems.append(Mistake(Code.BAD_QUIET_DAYS, Place(("quiet_days",)), {"value": quiet}))
    if problems:
        raise PolicyError(path, problems)
    months = {f: float(fields.get(f, default)) for f in PROFILE_FIELDS}
    return FreshnessPolicy(months, quiet)
