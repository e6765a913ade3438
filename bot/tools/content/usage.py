"""Where each response of ``domain.yml`` is said: rules and stories, the congratulation
table, form questions, Rasa's own actions, and the Python actions."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.tools.content.source import LineDict, LineList, Problem, load_located

UTTER = re.compile(r"^utter_\w+$")
# Rasa's built-in actions say these when they exist (fallback, restart, "back", rephrase).
SAID_BY_RASA = frozenset({"utter_default", "utter_ask_rephrase", "utter_restart", "utter_back"})
# Strings that look like a response's name but are Rasa's own keys: "utter_action" is the
# key under which Rasa records, in a bot event's metadata, the response that was said.
RASA_KEYS = frozenset({"utter_action"})


@dataclass(frozen=True)
class Mention:
    """A place that names a response: a file and a line."""

    path: Path
    line: int


@dataclass
class Usage:
    """Every place that names a response, by kind of place."""

    dialogue: dict[str, list[Mention]] = field(default_factory=dict)
    actions: dict[str, list[Mention]] = field(default_factory=dict)
    # f"utter_invalid_{step}" in an action says every response starting with the prefix.
    action_prefixes: set[str] = field(default_factory=set)
    # Responses named by the congratulation table, with the conditions of each rule.
    table: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Responses said only after some rules' conditions (a disappointed consumer...).
    after_condition: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def is_used(self, response: str, form_slots: set[str]) -> bool:
        return (
            response in self.dialogue
            or response in self.actions
            or response in self.table
            or response in SAID_BY_RASA
            or response.removeprefix("utter_ask_") in form_slots
            or any(response.startswith(prefix) for prefix in self.action_prefixes)
        )


def _mappings(node: Any) -> Iterator[LineDict]:
    """Every mapping inside a YAML node, depth first."""
    if isinstance(node, LineDict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mappings(item)


def _slot_conditions(rule: Any) -> list[dict[str, Any]]:
    """The ``slot_was_set`` values a rule's ``condition`` requires."""
    if not isinstance(rule, dict):
        return []
    conditions = rule.get("condition")
    return [
        dict(slot_values)
        for step in (conditions if isinstance(conditions, list) else [])
        if isinstance(step, dict)
        for slot_values in step.get("slot_was_set") or []
        if isinstance(slot_values, dict)
    ]


def read_dialogue(paths: list[Path], usage: Usage) -> list[Problem]:
    """Responses named as ``action:`` in rules and stories (data/rules, data/stories)."""
    problems: list[Problem] = []
    for path in paths:
        data, found = load_located(path)
        problems += found
        if not isinstance(data, dict):
            continue
        for key in ("rules", "stories"):
            for item in data.get(key) or []:
                conditions = _slot_conditions(item)
                for mapping in _mappings(item):
                    name = mapping.get("action")
                    if isinstance(name, str) and UTTER.match(name):
                        mention = Mention(path, mapping.line_of("action"))
                        usage.dialogue.setdefault(name, []).append(mention)
                        if conditions:
                            usage.after_condition.setdefault(name, []).extend(conditions)
    return problems


def read_actions(paths: list[Path], usage: Usage) -> list[Problem]:
    """Response names written in the Python actions, literally or as an f-string prefix."""
    problems = []
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as error:
            problems.append(
                Problem(path, error.lineno or 1, "erreur de syntaxe Python", "à faire corriger")
            )
            continue
        in_fstrings: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                in_fstrings.update(id(part) for part in node.values)
                head = node.values[0]
                if isinstance(head, ast.Constant) and str(head.value).startswith("utter_"):
                    usage.action_prefixes.add(str(head.value))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstrings
                and UTTER.match(node.value)
                and node.value not in RASA_KEYS
            ):
                usage.actions.setdefault(node.value, []).append(Mention(path, node.lineno))
    return problems


def read_table(table: Any, usage: Usage) -> None:
    """Responses named by the congratulation table and the events they thank."""
    rules = table.get("thanks") if isinstance(table, dict) else None
    for rule in rules if isinstance(rules, LineList) else []:
        if not isinstance(rule, dict) or not isinstance(rule.get("response"), str):
            continue
        when = rule.get("when")
        conditions = dict(when) if isinstance(when, dict) else {}
        usage.table.setdefault(rule["response"], []).append(conditions)
