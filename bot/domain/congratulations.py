"""The congratulation table: which response thanks which occasion.

The table is data (``data/congratulations.yml``), edited by marketers; this module
checks it against the responses of ``domain.yml`` and evaluates it. The first rule
whose conditions all hold wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.profile import FORM_STEPS
from bot.domain.wording import Variant
from bot.domain.yamlfile import read_mapping

EVENTS = ("field_saved", "review", "data_confirmed")
CONDITIONS = (
    "event",
    "field",
    "milestone",
    "rating",
    "review_count",
    "min_review_count",
    "same_product_before",
)
NO_PRAISE = re.compile(r"bravo|f[ée]licit", re.IGNORECASE)


@dataclass(frozen=True)
class Occasion:
    """Something a consumer did that deserves a thank-you."""

    event: str
    field: str | None = None
    milestone: int | None = None
    rating: int | None = None
    review_count: int | None = None
    same_product_before: bool = False


@dataclass(frozen=True)
class Rule:
    number: int
    when: Mapping[str, Any]
    response: str

    def matches(self, occasion: Occasion) -> bool:
        for key, expected in self.when.items():
            if key == "min_review_count":
                if occasion.review_count is None or occasion.review_count < expected:
                    return False
                continue
            actual = getattr(occasion, key)
            allowed = expected if isinstance(expected, list) else [expected]
            if actual not in allowed:
                return False
        return True


@dataclass(frozen=True)
class CongratulationTable:
    milestones: tuple[int, ...]
    rules: tuple[Rule, ...]
    field_labels: Mapping[str, str]

    def choose(self, occasion: Occasion) -> str:
        for rule in self.rules:
            if rule.matches(occasion):
                return rule.response
        raise LookupError(f"no congratulation rule for {occasion.event}")


class TableError(ValueError):
    """The table is wrong; ``problems`` lists each mistake in words a marketer can act on."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the congratulation table:\n- "
            + "\n- ".join(problems)
        )


def _check_rule(
    number: int, raw: Any, milestones: tuple[int, ...], responses: Mapping[str, Any]
) -> list[str]:
    where = f"rule {number}"
    if not isinstance(raw, dict) or not isinstance(raw.get("when"), dict):
        return [f"{where}: needs a 'when:' mapping and a 'response:' name"]
    problems = []
    when, response = raw["when"], raw.get("response")
    for key in when:
        if key not in CONDITIONS:
            problems.append(f"{where}: unknown condition '{key}' (known: {', '.join(CONDITIONS)})")
    if when.get("event") not in EVENTS:
        problems.append(f"{where}: 'event' must be one of {', '.join(EVENTS)}")
    for value in _as_list(when.get("rating")):
        if value not in range(1, 6):
            problems.append(f"{where}: rating {value!r} is not between 1 and 5")
    for value in _as_list(when.get("milestone")):
        if value not in milestones:
            problems.append(f"{where}: milestone {value!r} is not listed under 'milestones'")
    for value in _as_list(when.get("field")):
        if value not in FORM_STEPS:
            problems.append(f"{where}: unknown field {value!r}")
    if not isinstance(response, str) or response not in responses:
        problems.append(f"{where}: response {response!r} is not defined in domain.yml")
    return problems


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_wording(rules: list[Rule], responses: Mapping[str, tuple[Variant, ...]]) -> list[str]:
    problems = []
    for rule in rules:
        variants = responses.get(rule.response, ())
        if len(variants) < 2:
            problems.append(
                f"rule {rule.number}: response '{rule.response}' needs at least 2 variants "
                "so that nobody hears the same sentence twice in a row"
            )
        ratings = _as_list(rule.when.get("rating"))
        if ratings and min(ratings) <= 2:
            for variant in variants:
                if NO_PRAISE.search(variant.text):
                    problems.append(
                        f"rule {rule.number}: response '{rule.response}' answers a low rating "
                        f"and must not congratulate (variant {variant.index + 1})"
                    )
    return problems


def load_table(path: Path, responses: Mapping[str, tuple[Variant, ...]]) -> CongratulationTable:
    """Read and check the table; raise :class:`TableError` listing every problem."""
    try:
        raw = read_mapping(path)
    except ValueError as exc:
        raise TableError(path, [f"{exc} (expected 'milestones', 'field_labels', 'thanks')"]) from exc
    problems: list[str] = []
    milestones = tuple(sorted(raw.get("milestones") or ()))
    if any(not isinstance(m, int) or not 0 < m <= 100 for m in milestones):
        problems.append("'milestones' must be whole percentages between 1 and 100")
    labels = raw.get("field_labels") or {}
    for step in FORM_STEPS:
        if not labels.get(step):
            problems.append(f"field_labels: missing a label for '{step}'")
    rules: list[Rule] = []
    for number, item in enumerate(raw.get("thanks") or [], start=1):
        rule_problems = _check_rule(number, item, milestones, responses)
        problems.extend(rule_problems)
        if not rule_problems:
            rules.append(Rule(number, dict(item["when"]), item["response"]))
    problems.extend(_check_wording(rules, responses))
    for event in EVENTS:
        if not any(set(r.when) == {"event"} and r.when["event"] == event for r in rules):
            problems.append(f"no catch-all rule for event '{event}' (a rule with only 'event')")
    for milestone in milestones:
        if not any(milestone in _as_list(r.when.get("milestone")) for r in rules):
            problems.append(f"milestone {milestone} has no rule")
    if problems:
        raise TableError(path, problems)
    return CongratulationTable(milestones, tuple(rules), dict(labels))


