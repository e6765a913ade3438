"""The congratulation table and the freshness policy, checked by the very functions Merci
uses when it starts (``load_table``, ``load_policy``), so that ``make check`` passes
exactly when Merci would start. Their messages are put in French at the right line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domain.congratulations import CONDITIONS, EVENTS, TableError, load_table
from bot.domain.freshness import PolicyError, load_policy
from bot.domain.profile import FORM_STEPS, PROFILE_FIELDS
from bot.domain.wording import load_responses
from bot.tools.content.source import LineDict, LineList, Problem

TABLE_KEYS = ("milestones", "field_labels", "thanks")
POLICY_KEYS = ("default_months", "fields", "quiet_days")

Translation = tuple[str, Callable[[re.Match[str]], Problem]]


def translate(messages: list[str], translations: list[Translation], path: Path) -> list[Problem]:
    """Each English message of a loader as a French problem; unknown ones are kept as said."""
    problems = []
    for message in messages:
        for pattern, build in translations:
            match = re.match(pattern, message)
            if match:
                problems.append(build(match))
                break
        else:
            problems.append(
                Problem(path, 1, f"problème signalé par Merci : `{message}`", "corrigez ce point")
            )
    return problems


def unknown_keys(path: Path, doc: LineDict, known: tuple[str, ...]) -> list[Problem]:
    """Top-level keys the loader would ignore without a word (a typo loses the setting)."""
    return [
        Problem(
            path,
            doc.line_of(key),
            f"clé « {key} » inconnue, elle serait ignorée",
            "clés possibles : " + ", ".join(known),
        )
        for key in doc
        if key not in known
    ]


def _item(doc: LineDict, key: str, index: int) -> tuple[Any, int]:
    items = doc.get(key)
    if isinstance(items, LineList) and 0 <= index < len(items):
        return items[index], items.line_of(index)
    return None, doc.line_of(key)


def check_table(path: Path, doc: Any, domain_path: Path, domain: LineDict) -> list[Problem]:
    if not isinstance(doc, LineDict):
        return [
            Problem(
                path, 1, "la table doit être une suite de clés", "clés : " + ", ".join(TABLE_KEYS)
            )
        ]
    problems = unknown_keys(path, doc, TABLE_KEYS)
    try:
        # Not the cached loader: a check must read the file as it is now.
        responses = load_responses.__wrapped__(domain_path)
    except (ValueError, AttributeError, TypeError, KeyError):
        # A response Merci cannot read (an unclosed brace...): check_responses names it.
        return problems
    try:
        load_table(path, responses)
    except TableError as error:
        problems += translate(
            error.problems, _table_translations(path, doc, domain_path, domain), path
        )
    return problems


def _table_translations(
    path: Path, doc: LineDict, domain_path: Path, domain: LineDict
) -> list[Translation]:
    def rule_at(match: re.Match[str], key: str | None = None) -> int:
        rule, line = _item(doc, "thanks", int(match["n"]) - 1)
        when = rule.get("when") if isinstance(rule, LineDict) else None
        if key == "response" and isinstance(rule, LineDict):
            return rule.line_of("response")
        if key and isinstance(when, LineDict):
            return when.line_of(key)
        return line

    def variant_line(response: str, number: int) -> int:
        responses = domain.get("responses")
        if not isinstance(responses, LineDict):
            return 1
        variants = responses.get(response)
        if isinstance(variants, LineList):
            return variants.line_of(number - 1)
        return responses.line_of(response)

    rule = r"rule (?P<n>\d+): "
    return [
        (
            rule + r"needs a 'when:' mapping",
            lambda m: Problem(
                path,
                rule_at(m),
                f"la règle {m['n']} n'a pas de « when: » ou pas de « response: »",
                "écrivez `- when: {event: review, rating: 5}` puis, dessous, `response: utter_...`",
            ),
        ),
        (
            rule + r"unknown condition '(?P<key>[^']*)'",
            lambda m: Problem(
                path,
                rule_at(m, m["key"]),
                f"règle {m['n']} : condition « {m['key']} » inconnue",
                "conditions possibles : " + ", ".join(CONDITIONS),
            ),
        ),
        (
            rule + r"'event' must be one of",
            lambda m: Problem(
                path,
                rule_at(m, "event"),
                f"règle {m['n']} : « event » manque ou n'est pas un événement connu",
                "écrivez event: " + ", ou ".join(EVENTS),
            ),
        ),
        (
            rule + r"rating '?(?P<v>[^']*?)'? is not between 1 and 5",
            lambda m: Problem(
                path,
                rule_at(m, "rating"),
                f"règle {m['n']} : la note {m['v']} n'est pas entre 1 et 5",
                "une note va de 1 à 5 étoiles, par exemple `rating: [3, 4]`",
            ),
        ),
        (
            rule + r"milestone '?(?P<v>[^']*?)'? is not listed",
            lambda m: Problem(
                path,
                rule_at(m, "milestone"),
                f"règle {m['n']} : le palier {m['v']} n'est pas dans la liste « milestones »",
                f"ajoutez {m['v']} à « milestones » en haut du fichier, ou utilisez un palier "
                "de la liste",
            ),
        ),
        (
            rule + r"unknown field '?(?P<v>[^']*?)'?$",
            lambda m: Problem(
                path,
                rule_at(m, "field"),
                f"règle {m['n']} : champ {m['v']} inconnu",
                "champs possibles : " + ", ".join(FORM_STEPS),
            ),
        ),
        (
            rule + r"response '?(?P<r>[^']*?)'? is not defined in domain.yml",
            lambda m: Problem(
                path,
                rule_at(m, "response"),
                f"règle {m['n']} : la réponse {m['r']} n'existe pas dans domain.yml",
                "ajoutez-la dans domain.yml sous « responses: », ou corrigez son nom ici",
            ),
        ),
        (
            rule + r"response '(?P<r>[^']+)' needs at least 2 variants",
            lambda m: Problem(
                path,
                rule_at(m, "response"),
                f"règle {m['n']} : la réponse {m['r']} n'a qu'une variante",
                f"ajoutez-lui au moins une variante dans domain.yml (ligne "
                f"{variant_line(m['r'], 1)}) : personne ne doit lire deux fois de suite "
                "le même remerciement",
            ),
        ),
        (
            rule + r"response '(?P<r>[^']+)' answers a low rating .* \(variant (?P<k>\d+)\)",
            lambda m: Problem(
                domain_path,
                variant_line(m["r"], int(m["k"])),
                f"la variante {m['k']} de {m['r']} félicite, alors que la règle {m['n']} de "
                "data/congratulations.yml la fait dire après un avis de 1 ou 2 étoiles",
                "excusez-vous et remerciez de la franchise, sans « Bravo » ni « félicitations »",
            ),
        ),
        (
            r"no catch-all rule for event '(?P<e>[^']+)'",
            lambda m: Problem(
                path,
                doc.line_of("thanks"),
                f"aucune règle générale pour l'événement {m['e']}",
                f"ajoutez en fin de table une règle avec seulement `event: {m['e']}`, pour que "
                "chaque occasion ait son remerciement",
            ),
        ),
        (
            r"milestone (?P<v>\d+) has no rule",
            lambda m: Problem(
                path,
                doc.line_of("milestones"),
                f"le palier {m['v']} n'a aucune règle",
                f"ajoutez une règle `when: {{event: field_saved, milestone: {m['v']}}}`, ou "
                f"retirez {m['v']} de « milestones »",
            ),
        ),
        (
            r"'milestones' must be",
            lambda m: Problem(
                path,
                doc.line_of("milestones"),
                "« milestones » doit lister des pourcentages entiers entre 1 et 100",
                "par exemple `milestones: [50, 80, 100]`",
            ),
        ),
        (
            r"field_labels: missing a label for '(?P<f>[^']+)'",
            lambda m: Problem(
                path,
                doc.line_of("field_labels"),
                f"field_labels : pas de libellé pour {m['f']}",
                f"ajoutez une ligne `{m['f']}: votre ...` sous field_labels",
            ),
        ),
    ]


def check_policy(path: Path, doc: Any) -> list[Problem]:
    if not isinstance(doc, LineDict):
        return [
            Problem(
                path,
                1,
                "la politique doit être une suite de clés",
                "clés : " + ", ".join(POLICY_KEYS),
            )
        ]
    problems = unknown_keys(path, doc, POLICY_KEYS)
    try:
        load_policy(path)
    except PolicyError as error:
        problems += translate(error.problems, _policy_translations(path, doc), path)
    return problems


def _policy_translations(path: Path, doc: LineDict) -> list[Translation]:
    def field_line(field: str) -> int:
        fields = doc.get("fields")
        return fields.line_of(field) if isinstance(fields, LineDict) else doc.line_of("fields")

    return [
        (
            r"default_months must be .*, not (?P<v>.+)",
            lambda m: Problem(
                path,
                doc.line_of("default_months"),
                f"default_months vaut {m['v']}, ce n'est pas un nombre de mois positif",
                "écrivez par exemple `default_months: 24`",
            ),
        ),
        (
            r"unknown field '(?P<f>[^']+)'",
            lambda m: Problem(
                path,
                field_line(m["f"]),
                f"champ « {m['f']} » inconnu",
                "champs possibles : " + ", ".join(PROFILE_FIELDS),
            ),
        ),
        (
            r"'(?P<f>[^']+)' must last a positive number of months, not (?P<v>.+)",
            lambda m: Problem(
                path,
                field_line(m["f"]),
                f"{m['f']} vaut {m['v']}, ce n'est pas un nombre de mois positif",
                f"écrivez par exemple `{m['f']}: 12`",
            ),
        ),
        (
            r"quiet_days must be .*, not (?P<v>.+)",
            lambda m: Problem(
                path,
                doc.line_of("quiet_days"),
                f"quiet_days vaut {m['v']}, ce n'est pas un nombre entier de jours",
                "écrivez par exemple `quiet_days: 7`",
            ),
        ),
    ]
