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

from bot.domain.mistakes import Code, Key, Mistake, Place
from bot.domain.mistakes_fr import TABLE_HEADING, report
from bot.domain.profile import FORM_STEPS
from bot.domain.wording import Variant
from bot.domain.yamlfile import YamlFileError, read_mapping

TABLE_KEYS = ("milestones", "field_labels", "thanks")

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
    """The table is wrong; ``problems`` lists each mistake, worded in ``mistakes_fr``."""

    def __init__(self, path: Path, problems: list[Mistake]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(report(path, TABLE_HEADING, problems))


def _check_rule(
    index: int, raw: Any, milestones: tuple[int, ...], responses: Mapping[str, Any]
) -> list[Mistake]:
    """The mistakes of rule ``index`` (0-based) of ``thanks``."""
    at: tuple[Key, ...] = ("thanks", index)
    number = index + 1
    if not isinstance(raw, dict) or not isinstance(raw.get("when"), dict):
        return [Mistake(Code.RULE_WITHOUT_WHEN, Place(at), {"rule": number})]
    when, response = raw["when"], raw.get("response")

    def mistake(code: Code, condition: Key, **values: Any) -> Mistake:
        return Mistake(code, Place((*at, "when", condition)), {"rule": number, **values})

    problems = [
        mistake(Code.UNKNOWN_CONDITION, key, key=key, known=CONDITIONS)
        for key in when
        if key not in CONDITIONS
    ]
    if when.get("event") not in EVENTS:
        problems.append(mistake(Code.UNKNOWN_EVENT, "event", events=EVENTS))
    for value in _as_list(when.get("rating")):
        if value not in range(1, 6):
            problems.append(mistake(Code.RATING_OUT_OF_RANGE, "rating", rating=value))
    for value in _as_list(when.get("milestone")):
        if value not in milestones:
            problems.append(mistake(Code.UNLISTED_MILESTONE, "milestone", milestone=value))
    for value in _as_list(when.get("field")):
        if value not in FORM_STEPS:
            problems.append(
                mistake(Code.UNKNOWN_FIELD_IN_RULE, "field", field=value, known=tuple(FORM_STEPS))
            )
    if not isinstance(response, str) or response not in responses:
        place = Place((*at, "response"))
        problems.append(
            Mistake(Code.UNKNOWN_RESPONSE, place, {"rule": number, "response": response})
        )
    return problems


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_wording(
    rules: list[Rule], responses: Mapping[str, tuple[Variant, ...]]
) -> list[Mistake]:
    problems = []
    for rule in rules:
        variants = responses.get(rule.response, ())
        values = {"rule": rule.number, "response": rule.response}
        if len(variants) < 2:
            # The fix is in domain.yml, where the response's variants are.
            see = Place(("responses", rule.response, 0), in_domain=True)
            at = Place(("thanks", rule.number - 1, "response"))
            problems.append(Mistake(Code.SINGLE_VARIANT, at, values, see=see))
        ratings = _as_list(rule.when.get("rating"))
        if ratings and min(ratings) <= 2:
            for variant in variants:
                if NO_PRAISE.search(variant.text):
                    at = Place(("responses", rule.response, variant.index), in_domain=True)
                    praise = {**values, "variant": variant.index + 1}
                    problems.append(Mistake(Code.PRAISE_FOR_LOW_RATING, at, praise))
    return problems


def _check_top(raw: Mapping[str, Any], milestones: tuple[int, ...]) -> list[Mistake]:
    """Mistakes in ``milestones`` and ``field_labels``."""
    problems = []
    if any(not isinstance(m, int) or not 0 < m <= 100 for m in milestones):
        problems.append(Mistake(Code.BAD_MILESTONES, Place(("milestones",))))
    labels = raw.get("field_labels") or {}
    for step in FORM_STEPS:
        if not labels.get(step):
            problems.append(Mistake(Code.MISSING_LABEL, Place(("field_labels",)), {"field": step}))
    return problems


def _check_coverage(rules: list[Rule], milestones: tuple[int, ...]) -> list[Mistake]:
    """A catch-all rule for every event, a rule for every milestone."""
    problems = []
    for event in EVENTS:
        if not any(set(r.when) == {"event"} and r.when["event"] == event for r in rules):
            problems.append(Mistake(Code.NO_CATCH_ALL, Place(("thanks",)), {"event": event}))
    for milestone in milestones:
        if not any(milestone in _as_list(r.when.get("milestone")) for r in rules):
            where = Place(("milestones",))
            problems.append(Mistake(Code.MILESTONE_WITHOUT_RULE, where, {"milestone": milestone}))
    return problems


def load_table(path: Path, responses: Mapping[str, tuple[Variant, ...]]) -> CongratulationTable:
    """Read and check the table; raise :class:`TableError` listing every mistake."""
    not_a_mapping = Mistake(Code.TABLE_NOT_A_MAPPING, values={"keys": TABLE_KEYS})
    try:
        raw = read_mapping(path, not_a_mapping)
    except YamlFileError as exc:
        raise TableError(path, [exc.mistake]) from exc
    milestones = tuple(sorted(raw.get("milestones") or ()))
    problems = _check_top(raw, milestones)
    rules: list[Rule] = []
    for index, item in enumerate(raw.get("thanks") or []):
        rule_problems = _check_rule(index, item, milestones, responses)
        problems.extend(rule_problems)
        if not rule_problems:
            rules.append(Rule(index + 1, dict(item["when"]), item["response"]))
    problems.extend(_check_wording(rules, responses))
    problems.extend(_check_coverage(rules, milestones))
    if problems:
        raise TableError(path, problems)
    return CongratulationTable(milestones, tuple(rules), dict(raw.get("field_labels") or {}))
