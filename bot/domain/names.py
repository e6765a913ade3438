"""A consumer's first and last names in free text, masked as ``<prénom>`` and ``<nom>``.

A name is recognised by the words that introduce it, the same ones the profile form reads a
first name with ("je m'appelle Julie", bot.domain.validation.NAME_INTRODUCERS), plus "mon nom
est", "je suis", "ici", "c'est" and "... à l'appareil". After words that always introduce a
name, the next word is a name whatever its case ("je m'appelle julie martin"); after words
that usually introduce something else ("je suis ravie", "ici la livraison"), only a word
with a capital is ("je suis Julie"). A second name-shaped word is the last name. One word
after "mon nom est", "nom :" or "Madame" is a last name (``<nom>``).
"""

from __future__ import annotations

import re

from bot.domain.validation import NAME_INTRODUCERS, NOT_A_NAME

FIRST_NAME_TAG, LAST_NAME_TAG = "<prénom>", "<nom>"

_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:-[A-Za-zÀ-ÖØ-öø-ÿ]+)*"
_LAST_NAME_ONLY = r"mon\s+nom\s+(?:c['’]?est|est)|nom\s*:"
_SURE = rf"{NAME_INTRODUCERS}|{_LAST_NAME_ONLY}|je\s+me\s+nomme"
_MAYBE = r"je\s+suis|ici|c['’]?est|moi\s+c['’]?est|sign[ée]"
# "Paul de La Tour", "Jeanne d'Arc": the particles belong to the last name.
_PARTICLES = r"(?:(?:de|du|des|van|von|le|la)\s+|d['’]\s*)*"
_CIVILITY = r"(?:madame|monsieur|mademoiselle|mme|mlle|m\.)\s+"

_INTRODUCED = re.compile(
    rf"(?<![\w<'’])(?P<intro>{_SURE}|{_MAYBE})(?!(?<=\w)\w)\s*(?P<civility>{_CIVILITY})?"
    rf"(?P<first>{_WORD})(?:(?P<space>\s+)(?P<last>{_PARTICLES}(?P<last_word>{_WORD})))?",
    re.IGNORECASE,
)
_ON_THE_LINE = re.compile(
    rf"(?<![\w<'’])(?:(?P<first>{_WORD})(?P<space>\s+))?(?P<last>{_WORD})"
    rf"(?P<rest>\s+(?:à|a)\s+l['’]appareil)\b",
    re.IGNORECASE,
)
_SURE_ONLY = re.compile(rf"(?:{_SURE})\s*", re.IGNORECASE)
_MAYBE_ONLY = re.compile(rf"(?:{_MAYBE})\s*", re.IGNORECASE)
_LAST_NAME_INTRO = re.compile(rf"(?:{_LAST_NAME_ONLY})\s*", re.IGNORECASE)

# Words that follow an introducer without being a name: "je m'appelle Julie et je...".
NOT_A_NAME_IN_TEXT = NOT_A_NAME | {
    "et", "je", "j", "à", "a", "au", "aux", "de", "des", "du", "d", "le", "la", "les", "l",
    "un", "une", "mais", "donc", "car", "pour", "avec", "sur", "svp", "stp", "voici",
    "voilà", "voila", "moi", "est", "ici", "c", "ce", "cela", "ça", "ca", "qui", "que",
    "votre", "vous", "nous", "mon", "ma", "mes", "très", "tres", "bien", "vraiment",
    "encore", "toujours", "déjà", "deja", "en", "dans", "par", "chez", "ne", "n", "y",
    "service", "client", "cliente", "livraison", "demain", "vite", "rapidement", "quand",
    "dès", "après", "apres", "avant", "soir", "matin",
}  # fmt: skip


def _is_name(word: str | None, sure: bool) -> bool:
    if not word or word.lower() in NOT_A_NAME_IN_TEXT:
        return False
    return sure or word[0].isupper()


def _introduced(match: re.Match[str]) -> str:
    intro, first = match["intro"], match["first"]
    # "moi c'est" introduces a first name in the profile form, but "moi c'est pareil" too.
    sure = bool(_SURE_ONLY.fullmatch(intro)) and not _MAYBE_ONLY.fullmatch(intro)
    head = match.group(0)[: match.start("first") - match.start()]
    if not _is_name(first, sure):
        return match.group(0)
    if _is_name(match["last_word"], sure):
        return f"{head}{FIRST_NAME_TAG}{match['space']}{LAST_NAME_TAG}"
    # "mon nom est Durand", "Mme Martin": one word is the last name.
    only_last = bool(_LAST_NAME_INTRO.fullmatch(intro)) or bool(match["civility"])
    tail = match.group(0)[match.end("first") - match.start() :]
    return f"{head}{LAST_NAME_TAG if only_last else FIRST_NAME_TAG}{tail}"


def _on_the_line(match: re.Match[str]) -> str:
    first, last = match["first"], match["last"]
    if not _is_name(last, sure=True):
        return match.group(0)
    if _is_name(first, sure=True):
        return f"{FIRST_NAME_TAG}{match['space']}{LAST_NAME_TAG}{match['rest']}"
    head = match.group(0)[: match.start("last") - match.start()]
    return f"{head}{FIRST_NAME_TAG}{match['rest']}"


def mask_names(text: str) -> str:
    """``text`` with the names a consumer gives replaced by ``<prénom>`` / ``<nom>``."""
    return _ON_THE_LINE.sub(_on_the_line, _INTRODUCED.sub(_introduced, text))
