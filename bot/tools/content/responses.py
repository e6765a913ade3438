"""Checks of the responses in ``domain.yml``: used, fillable, short enough for Messenger,
never praising a disappointed consumer, and typeset the French way."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from bot.domain.congratulations import NO_PRAISE
from bot.domain.typography import NBSP, NNBSP, frenchify
from bot.tools.content.source import LineDict, Problem
from bot.tools.content.usage import Usage

# Messenger's limits (Meta's Send API): text of one message, quick replies and their titles.
MESSENGER_TEXT = 2000
MESSENGER_TITLE = 20
MESSENGER_QUICK_REPLIES = 13

# Responses that speak to a disappointed consumer, by name (the congratulation table
# checks its own low-rating rules): no "Bravo" there either.
DISAPPOINTED = re.compile(r"apolog|followup|_low(?:_|$)")
DISAPPOINTED_SLOTS = {"review_band": {"low"}, "pending_offer": {"human_followup"}}


@dataclass(frozen=True)
class Values:
    """What Merci fills in a response it renders itself (not Rasa's NLG)."""

    always: frozenset[str]
    sometimes: frozenset[str] = frozenset({"first_name"})
    # (condition, value): the value is always there when a table rule sets the condition.
    given_by: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return self.always | self.sometimes

    def for_rule(self, when: dict[str, Any]) -> Values:
        given = frozenset(value for condition, value in self.given_by if when.get(condition))
        return Values(self.always | given, self.sometimes - given)


# Kept in step with bot/services/ (the values given to ``render`` for each event) and
# with ActionGreetConsumer in actions/profile.py; tests/content checks the events against
# the service.
EVENT_VALUES = {
    "field_saved": Values(frozenset({"completeness", "field_label"})),
    "data_confirmed": Values(
        frozenset({"completeness"}),
        frozenset({"first_name", "field_label"}),
        (("field", "field_label"),),
    ),
    "review": Values(
        frozenset({"rating", "review_count"}),
        frozenset({"first_name", "product"}),
        (("same_product_before", "product"),),
    ),
}
# Names ending with "_" stand for every response that starts with them.
GREETING_VALUES = {
    "utter_greet_new": Values(frozenset({"completeness", "brand_name"})),
    "utter_greet_known": Values(frozenset({"completeness", "brand_name"})),
    "utter_offer_profile": Values(frozenset({"completeness"})),
    "utter_offer_resume_profile": Values(frozenset({"completeness", "field_label"})),
    "utter_ask_still_right_": Values(frozenset({"completeness", "value"})),
    # actions/people.py: the brand's contact settings, each only when set.
    "utter_human_contact": Values(
        frozenset(), frozenset({"contact_url", "contact_phone", "contact_hours"})
    ),
    "utter_handoff": Values(frozenset(), frozenset({"contact_hours"})),
    # actions/reviews.py: the products a consumer may have meant.
    "utter_ask_product_choice": Values(frozenset({"choices"}), frozenset()),
    # actions/privacy.py: what Merci holds, one line per value.
    "utter_my_data": Values(frozenset({"details"}), frozenset()),
    "utter_my_data_session": Values(frozenset({"details"}), frozenset()),
}


@dataclass(frozen=True)
class Variant:
    response: str
    number: int  # 1-based, as a marketer counts
    raw: LineDict

    @property
    def text(self) -> str:
        value = self.raw.get("text")
        return value if isinstance(value, str) else ""

    @property
    def text_line(self) -> int:
        return self.raw.line_of("text")

    @property
    def buttons(self) -> list[Any]:
        buttons = self.raw.get("buttons")
        return buttons if isinstance(buttons, list) else []


def merci_values(response: str, usage: Usage) -> Values | None:
    """The values Merci fills in ``response``; None when Rasa renders it from the slots."""
    for name, values in GREETING_VALUES.items():
        if response == name or (name.endswith("_") and response.startswith(name)):
            return values
    per_rule = [
        EVENT_VALUES[str(when.get("event"))].for_rule(when)
        for when in usage.table.get(response, [])
        if str(when.get("event")) in EVENT_VALUES  # an unknown event: the table check says so
    ]
    if not per_rule:
        return None
    always = frozenset.intersection(*(v.always for v in per_rule))
    names = frozenset.intersection(*(v.names for v in per_rule))
    return Values(always, names - always)


def check_responses(domain_path: Path, domain: LineDict, usage: Usage) -> list[Problem]:
    responses = domain.get("responses")
    if not isinstance(responses, LineDict):
        return [Problem(domain_path, domain.line, "aucune section « responses: »", "remettez-la")]
    slots = set(domain.get("slots") or {})
    form_slots = _form_slots(domain)
    problems: list[Problem] = []
    for name, raw in responses.items():
        line = responses.line_of(name)
        if not isinstance(raw, list) or not raw or not all(isinstance(v, LineDict) for v in raw):
            problems.append(
                Problem(
                    domain_path,
                    line,
                    f"la réponse {name} n'est pas une liste de variantes",
                    'écrivez chaque variante sur une ligne qui commence par `- text: "..."`',
                )
            )
            continue
        variants = [Variant(name, i + 1, v) for i, v in enumerate(raw)]
        values = merci_values(name, usage)
        if not usage.is_used(name, form_slots):
            problems.append(
                Problem(
                    domain_path,
                    line,
                    f"la réponse {name} n'est jamais dite (ni par une règle, ni par la table "
                    "des remerciements, ni par une action)",
                    "supprimez-la, ou faites-la dire par une règle de data/rules/ ou par "
                    "data/congratulations.yml",
                )
            )
        problems += _placeholder_problems(domain_path, line, variants, values, slots)
        problems += _praise_problems(domain_path, variants, usage)
        for variant in variants:
            problems += _messenger_problems(domain_path, variant)
            problems += _typography_problems(domain_path, variant)
    problems += _missing_responses(responses, usage, domain_path)
    return problems


def _form_slots(domain: LineDict) -> set[str]:
    forms = domain.get("forms") or {}
    return {
        slot
        for form in forms.values()
        if isinstance(form, dict)
        for slot in form.get("required_slots") or []
    }


def _missing_responses(responses: LineDict, usage: Usage, domain_path: Path) -> list[Problem]:
    problems = []
    for kind, mentions in (("une règle", usage.dialogue), ("une action", usage.actions)):
        for name, places in sorted(mentions.items()):
            if name in responses:
                continue
            for place in places:
                problems.append(
                    Problem(
                        place.path,
                        place.line,
                        f"{kind} fait dire {name}, qui n'existe pas dans domain.yml",
                        f"ajoutez la réponse {name} dans domain.yml, ou corrigez son nom ici "
                        "s'il a été renommé",
                    )
                )
    return problems


def _placeholder_problems(
    path: Path, line: int, variants: list[Variant], values: Values | None, slots: set[str]
) -> list[Problem]:
    allowed = values.names if values is not None else frozenset(slots)
    problems = []
    fillable = False
    for variant in variants:
        try:
            names = {n for _, n, _, _ in string.Formatter().parse(variant.text) if n is not None}
        except ValueError:
            problems.append(
                Problem(
                    path,
                    variant.text_line,
                    f"accolade mal fermée dans la variante {variant.number} de {variant.response}",
                    "écrivez les valeurs entre deux accolades, par exemple `{first_name}`",
                )
            )
            continue
        for name in sorted(names - allowed):
            problems.append(_unknown_placeholder(path, variant, name, allowed, values is None))
        if values is not None and names <= values.always:
            fillable = True
    if values is not None and not fillable and variants:
        optional = ", ".join(f"`{{{n}}}`" for n in sorted(values.sometimes))
        problems.append(
            Problem(
                path,
                line,
                f"chaque variante de {variants[0].response} utilise {optional} ou une valeur "
                "inconnue, alors que Merci ne connaît pas toujours ces valeurs",
                "ajoutez au moins une variante qui s'en passe (Merci la choisira quand la "
                "valeur manque)",
            )
        )
    return problems


def _unknown_placeholder(
    path: Path, variant: Variant, name: str, allowed: Iterable[str], from_slots: bool
) -> Problem:
    where = f"la variante {variant.number} de {variant.response}"
    if not name or not name.isidentifier():
        return Problem(
            path,
            variant.text_line,
            f"valeur `{{{name}}}` mal écrite dans {where}",
            "une valeur s'écrit en minuscules, sans espace ni accent, entre accolades",
        )
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    if close:
        fix = f"vouliez-vous écrire `{{{close[0]}}}` ?"
    elif allowed:
        listed = ", ".join(f"`{{{n}}}`" for n in sorted(allowed))
        fix = f"valeurs possibles dans cette réponse : {listed}"
    else:
        fix = "cette réponse ne reçoit aucune valeur : retirez l'accolade"
    source = "aucun slot de domain.yml ne porte ce nom" if from_slots else "Merci ne la remplit pas"
    return Problem(
        path,
        variant.text_line,
        f"valeur `{{{name}}}` inconnue dans {where} ({source}), le consommateur la verrait "
        "telle quelle",
        fix,
    )


def _says_to_the_disappointed(name: str, usage: Usage) -> bool:
    if name in usage.table:
        return False  # the congratulation table checks its own low-rating rules
    if DISAPPOINTED.search(name):
        return True
    return any(
        condition.get(slot) in values
        for condition in usage.after_condition.get(name, [])
        for slot, values in DISAPPOINTED_SLOTS.items()
    )


def _word_at(text: str, start: int) -> str:
    return text[start:].split()[0].strip(".,;:!?")


def _praise_problems(path: Path, variants: list[Variant], usage: Usage) -> list[Problem]:
    if not variants or not _says_to_the_disappointed(variants[0].response, usage):
        return []
    return [
        Problem(
            path,
            variant.text_line,
            f"la variante {variant.number} de {variant.response} félicite un consommateur déçu "
            f"(« {_word_at(variant.text, match.start())} »)",
            "remerciez-le de sa franchise et excusez-vous, sans « Bravo » ni « félicitations »",
        )
        for variant in variants
        if (match := NO_PRAISE.search(variant.text))
    ]


def _messenger_problems(path: Path, variant: Variant) -> list[Problem]:
    problems = []
    where = f"la variante {variant.number} de {variant.response}"
    if len(variant.text) > MESSENGER_TEXT:
        problems.append(
            Problem(
                path,
                variant.text_line,
                f"{where} fait {len(variant.text)} caractères, Messenger en accepte "
                f"{MESSENGER_TEXT} par message",
                "raccourcissez-la, ou coupez-la en deux réponses",
            )
        )
    buttons = variant.buttons
    for number, button in enumerate(buttons, start=1):
        if not isinstance(button, dict) or not {"title", "payload"} <= set(button):
            line = button.line if isinstance(button, LineDict) else variant.raw.line_of("buttons")
            problems.append(
                Problem(
                    path,
                    line,
                    f"le bouton {number} de {where} n'a pas de « title: » ou pas de « payload: »",
                    "donnez à chaque bouton un titre (title) et ce qu'il envoie (payload)",
                )
            )
    if len(buttons) > MESSENGER_QUICK_REPLIES:
        problems.append(
            Problem(
                path,
                variant.raw.line_of("buttons"),
                f"{where} propose {len(buttons)} boutons, Messenger en affiche "
                f"{MESSENGER_QUICK_REPLIES} au plus",
                f"gardez les {MESSENGER_QUICK_REPLIES} plus utiles",
            )
        )
    for button in buttons:
        title = button.get("title") if isinstance(button, dict) else None
        if isinstance(title, str) and len(title) > MESSENGER_TITLE:
            problems.append(
                Problem(
                    path,
                    button.line_of("title"),
                    f"le bouton `{title}` de {where} fait {len(title)} caractères, Messenger "
                    f"en affiche {MESSENGER_TITLE} au plus",
                    "raccourcissez son titre",
                )
            )
    return problems


def _visible(text: str) -> str:
    return text.replace(NNBSP, "\\u202f").replace(NBSP, "\\u00a0").replace("\n", " ")


def typography_spots(text: str) -> list[tuple[str, str, str]]:
    """Each typography slip of ``text``: (the sign, the text around it, the same corrected)."""
    fixed = frenchify(text)
    spots = []
    matcher = SequenceMatcher(None, text, fixed, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        sign = fixed[j2 : j2 + 1] if fixed[j2 : j2 + 1] in "!?;:»%" else fixed[j1 - 1 : j1]
        around = text[max(0, i1 - 15) : i2 + 15]
        corrected = fixed[max(0, j1 - 15) : j2 + 15]
        spots.append((sign, around, corrected))
    return spots


def _typography_problems(path: Path, variant: Variant) -> list[Problem]:
    problems = []
    where = f"la variante {variant.number} de {variant.response}"
    texts = [(variant.text, variant.text_line)] + [
        (button["title"], button.line_of("title"))
        for button in variant.buttons
        if isinstance(button, LineDict) and isinstance(button.get("title"), str)
    ]
    for text, line in texts:
        for sign, around, corrected in typography_spots(text):
            space = "une espace fine insécable" if sign in "!?;" else "une espace insécable"
            place = "après" if sign == "«" else "avant"
            problems.append(
                Problem(
                    path,
                    line,
                    f"typographie : il faut {space} {place} « {sign} » dans {where} "
                    f"(`…{_visible(around)}…`)",
                    f"écrivez `…{_visible(corrected)}…` (entre guillemets droits, `\\u202f` "
                    "est l'espace fine insécable et `\\u00a0` l'espace insécable)",
                )
            )
        if re.search(r"\"[^\"]+\"", text):
            problems.append(
                Problem(
                    path,
                    line,
                    f"typographie : guillemets droits dans {where}",
                    "utilisez les guillemets français « … », avec une espace insécable à "
                    "l'intérieur",
                )
            )
    return problems
