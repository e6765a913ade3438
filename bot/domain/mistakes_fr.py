"""The French wording of every mistake a loader can raise: the one place to reword them.

Each :class:`~bot.domain.mistakes.Code` has a template for what is wrong and one for how
to fix it, filled with the mistake's values (``str.format``; ``!r`` shows a value as
written in Python; a list is joined with its format spec, ``", "`` by default). Write
plain spaces: :func:`typeset` puts the non-breaking ones, except inside `backticks`.
``make check`` prints ``file:line: what : fix``; an error raised at startup prints the
same sentences.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.domain.mistakes import Code, Mistake
from bot.domain.typography import NBSP, frenchify

WORDING: dict[Code, tuple[str, str]] = {
    Code.INVALID_YAML: (
        "erreur de syntaxe YAML ({detail})",
        "vérifiez sur cette ligne ou la précédente l'indentation (des espaces, pas de "
        "tabulations), les deux-points après chaque clé, et les guillemets : un guillemet "
        'droit (") dans un texte entre guillemets droits le termine, écrivez plutôt « … »',
    ),
    Code.UNKNOWN_KEY: ("clé « {key} » inconnue, elle serait ignorée", "clés possibles : {known}"),
    Code.TABLE_NOT_A_MAPPING: ("la table doit être une suite de clés", "clés : {keys}"),
    Code.BAD_MILESTONES: (
        "« milestones » doit lister des pourcentages entiers entre 1 et 100",
        "par exemple `milestones: [50, 80, 100]`",
    ),
    Code.MISSING_LABEL: (
        "field_labels : pas de libellé pour {field}",
        "ajoutez une ligne `{field}: votre ...` sous field_labels",
    ),
    Code.RULE_WITHOUT_WHEN: (
        "la règle {rule} n'a pas de « when: » ou pas de « response: »",
        "écrivez `- when: {{event: review, rating: 5}}` puis, dessous, `response: utter_...`",
    ),
    Code.UNKNOWN_CONDITION: (
        "règle {rule} : condition « {key} » inconnue",
        "conditions possibles : {known}",
    ),
    Code.UNKNOWN_EVENT: (
        "règle {rule} : « event » manque ou n'est pas un événement connu",
        "écrivez event: {events:, ou }",
    ),
    Code.RATING_OUT_OF_RANGE: (
        "règle {rule} : la note {rating} n'est pas entre 1 et 5",
        "une note va de 1 à 5 étoiles, par exemple `rating: [3, 4]`",
    ),
    Code.UNLISTED_MILESTONE: (
        "règle {rule} : le palier {milestone} n'est pas dans la liste « milestones »",
        "ajoutez {milestone} à « milestones » en haut du fichier, ou utilisez un palier de la "
        "liste",
    ),
    Code.UNKNOWN_FIELD_IN_RULE: (
        "règle {rule} : champ {field} inconnu",
        "champs possibles : {known}",
    ),
    Code.UNKNOWN_RESPONSE: (
        "règle {rule} : la réponse {response} n'existe pas dans domain.yml",
        "ajoutez-la dans domain.yml sous « responses: », ou corrigez son nom ici",
    ),
    Code.SINGLE_VARIANT: (
        "règle {rule} : la réponse {response} n'a qu'une variante",
        "ajoutez-lui au moins une variante dans {see} : personne ne doit lire deux fois de "
        "suite le même remerciement",
    ),
    Code.PRAISE_FOR_LOW_RATING: (
        "la variante {variant} de {response} félicite, alors que la règle {rule} de "
        "data/congratulations.yml la fait dire après un avis de 1 ou 2 étoiles",
        "excusez-vous et remerciez de la franchise, sans « Bravo » ni « félicitations »",
    ),
    Code.NO_CATCH_ALL: (
        "aucune règle générale pour l'événement {event}",
        "ajoutez en fin de table une règle avec seulement `event: {event}`, pour que chaque "
        "occasion ait son remerciement",
    ),
    Code.MILESTONE_WITHOUT_RULE: (
        "le palier {milestone} n'a aucune règle",
        "ajoutez une règle `when: {{event: field_saved, milestone: {milestone}}}`, ou retirez "
        "{milestone} de « milestones »",
    ),
    Code.POLICY_NOT_A_MAPPING: ("la politique doit être une suite de clés", "clés : {keys}"),
    Code.NON_POSITIVE_DEFAULT_MONTHS: (
        "default_months vaut {value!r}, ce n'est pas un nombre de mois positif",
        "écrivez par exemple `default_months: 24`",
    ),
    Code.FIELDS_NOT_A_MAPPING: (
        "fields vaut `{value!r}`, ce n'est pas une suite de champs avec leur nombre de mois",
        "écrivez sous fields une ligne par champ, par exemple `email: 24`",
    ),
    Code.UNKNOWN_FIELD: ("champ « {field} » inconnu", "champs possibles : {known}"),
    Code.NON_POSITIVE_MONTHS: (
        "{field} vaut {value!r}, ce n'est pas un nombre de mois positif",
        "écrivez par exemple `{field}: 12`",
    ),
    Code.BAD_QUIET_DAYS: (
        "quiet_days vaut {value!r}, ce n'est pas un nombre entier de jours",
        "écrivez par exemple `quiet_days: 7`",
    ),
    Code.PRIVACY_NOT_A_MAPPING: (
        "la politique de confidentialité doit être une suite de clés",
        "clés : {keys}",
    ),
    Code.BAD_CONSENT_VERSION: (
        "consent_version doit être la version du texte de consentement",
        'écrivez par exemple `consent_version: "2026-11"`, et changez-la à chaque '
        "modification du texte",
    ),
    Code.NOT_YES_OR_NO: (
        "keep_anonymous_reviews doit valoir true ou false",
        "écrivez `keep_anonymous_reviews: false` pour supprimer les avis avec leur auteur",
    ),
    Code.RETENTION_NOT_A_MAPPING: (
        "retention doit être une suite de durées",
        "écrivez sous retention une ligne par durée, par exemple `conversations_days: 180`",
    ),
    Code.BAD_DURATION: (
        "{key} n'est pas une durée positive",
        "écrivez par exemple `{key}: 12`",
    ),
    Code.TWO_DURATIONS: (
        "{kind} a deux durées, en jours et en mois",
        "gardez-en une seule : `{kind}_days` ou `{kind}_months`",
    ),
    Code.CATALOGUE_NOT_A_MAPPING: (
        "le catalogue doit commencer par la clé « products: »",
        "écrivez `products:` puis, dessous, un produit par tiret : `- name: Crème de jour`",
    ),
    Code.PRODUCTS_NOT_A_LIST: (
        "« products » doit être une liste de produits",
        "écrivez chaque produit sur une ligne qui commence par un tiret : `- name: Baume à lèvres`",
    ),
    Code.PRODUCT_NOT_A_MAPPING: (
        "ce produit n'est pas écrit comme une suite de clés",
        "écrivez par exemple `- name: Crème de jour`, puis `aliases`, `category` et `id` "
        "en dessous si besoin",
    ),
    Code.PRODUCT_WITHOUT_NAME: (
        "ce produit n'a pas de nom (« name »)",
        "écrivez son nom tel que vos clients le connaissent, par exemple `name: Crème de jour`",
    ),
    Code.BAD_ALIASES: (
        "les autres noms (« aliases ») de {name} doivent être une liste de textes",
        "écrivez par exemple `aliases: [crème hydratante, crème visage]`",
    ),
    Code.DUPLICATE_PRODUCT_ID: (
        "l'identifiant « {id} » est déjà celui du produit n° {first} de la liste",
        "donnez à chaque produit un « id » différent (ou retirez « id » : Merci le déduit du nom)",
    ),
    Code.CSV_WITHOUT_NAME_COLUMN: (
        "le fichier n'a pas de colonne pour le nom du produit",
        "la première ligne doit nommer les colonnes, dont l'une parmi : {known}",
    ),
}

# Where a fix is to be made in domain.yml (``Mistake.see``), with its line when known.
SEE_IN_DOMAIN = ("domain.yml (ligne {line})", "domain.yml")
# A mistake located by a line only, in an error raised at startup.
AT_LINE = "ligne {line} : {text}"
TABLE_HEADING = "{count} problème(s) dans la table des remerciements :"
POLICY_HEADING = "{count} problème(s) dans la durée de validité des informations :"
PRIVACY_HEADING = "{count} problème(s) dans la politique de confidentialité :"
CATALOGUE_HEADING = "{count} problème(s) dans le catalogue des produits :"
# When the YAML parser gives no detail.
NO_DETAIL = "syntaxe invalide"


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, (list, tuple)):
            return (format_spec or ", ").join(str(item) for item in value)
        return str(super().format_field(value, format_spec))


_FORMATTER = _Formatter()


def describe(mistake: Mistake, see_line: int | None = None) -> tuple[str, str]:
    """What is wrong and how to fix it, in French (plain spaces: see :func:`typeset`)."""
    what, fix = WORDING[mistake.code]
    values = dict(mistake.values)
    if mistake.see is not None:
        with_line, without = SEE_IN_DOMAIN
        values["see"] = with_line.format(line=see_line) if see_line else without
    return _FORMATTER.vformat(what, (), values), _FORMATTER.vformat(fix, (), values)


def typeset(message: str) -> str:
    """French typography for a message, except inside `backticks` (quoted content, code).

    Messages are written with plain spaces in the code and typeset here.
    """
    parts = message.split("`")
    return "`".join(part if i % 2 else frenchify(part) for i, part in enumerate(parts))


def explain(mistake: Mistake) -> str:
    """The mistake in one typeset sentence, without a file: for errors raised at startup."""
    what, fix = describe(mistake)
    text = f"{what} : {fix}"
    if mistake.place.line is not None:
        text = AT_LINE.format(line=mistake.place.line, text=text)
    return typeset(text)


def report(path: Path, heading: str, mistakes: Iterable[Mistake]) -> str:
    """``path``, ``heading`` (with the count) and one line per mistake, for ``str(error)``."""
    lines = [explain(mistake) for mistake in mistakes]
    title = typeset(heading.format(count=len(lines)))
    return f"{path}{NBSP}: {title}\n- " + "\n- ".join(lines)
