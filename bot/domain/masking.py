"""Who may see a stored value, and how it is shown to someone whose identity is not proven.

A sender id chosen by the caller (the REST channel, an anonymous widget session) proves
nothing: whoever uses it would read the consumer's data back. There, a stored value is
masked down to a hint the real consumer recognises ("m•••@exemple.fr") and a stranger
learns next to nothing from. The mask has a fixed length, so it does not tell the length
of the hidden part either.
"""

from __future__ import annotations

import re

from bot.domain.names import mask_names
from bot.domain.profile import display_value

DOT = "\u2022"
HIDDEN = DOT * 3
# Facebook signs what reaches the Messenger webhook: a PSID is proven by itself.
PROVEN_CHANNELS = frozenset({"facebook"})
# On the widget, a chat identity is proven once a signed identity token linked it to the
# brand's id (the link is never moved to someone else afterwards).
TOKEN_LINKED_CHANNELS = frozenset({"socketio"})


def identity_proven(channel: str, linked_by_token: bool) -> bool:
    """Whether the person behind a chat identity is known to be the consumer it names."""
    return channel in PROVEN_CHANNELS or (channel in TOKEN_LINKED_CHANNELS and linked_by_token)


def masked_value(step: str, values: dict[str, str]) -> str:
    """A stored value as a hint: enough for its owner to recognise, not to learn it."""
    if step == "phone":
        return mask_phone(display_value("phone", values))
    if step == "email":
        return mask_email(values["email"])
    if step == "birthday":
        return mask_birthday(values["birthday"])
    if step == "city":
        return mask_city(values.get("city", ""), values.get("postal_code"))
    if step == "first_name":
        return initial(values["first_name"])
    if step == "interests":
        return ", ".join(initial(item) for item in re.split(r"\s*,\s*", values["interests"]))
    # Any other value (the contact channel, a field added later) is hidden altogether.
    return HIDDEN


def initial(text: str) -> str:
    """The first letter only: "Lyon" -> "L•••"."""
    stripped = text.strip()
    return f"{stripped[0].upper()}{HIDDEN}" if stripped else HIDDEN


def mask_phone(shown: str) -> str:
    """The first two and last two digits: "06 12 34 56 78" -> "06 •• •• •• 78"."""
    digits = [i for i, char in enumerate(shown) if char.isdigit()]
    if len(digits) < 6:
        return HIDDEN
    hidden = set(digits[2:-2])
    return "".join(DOT if i in hidden else char for i, char in enumerate(shown))


def mask_email(email: str) -> str:
    """The first letter and the domain: "marie@exemple.fr" -> "m•••@exemple.fr"."""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return HIDDEN
    return f"{local[0]}{HIDDEN}@{domain}"


def mask_birthday(iso_date: str) -> str:
    """Only the year: "1990-03-12" -> "••/••/1990"."""
    year = iso_date.split("-")[0]
    if not (len(year) == 4 and year.isdigit()):
        return f"{DOT * 2}/{DOT * 2}/{DOT * 4}"
    return f"{DOT * 2}/{DOT * 2}/{year}"


def mask_city(city: str, postal_code: str | None) -> str:
    """The first letter and the département: "Lyon", "69001" -> "L••• (69•••)"."""
    shown = initial(city)
    if not postal_code:
        return shown
    return f"{shown} ({postal_code[:2]}{HIDDEN})"


# Free text (what a consumer typed), masked before a marketer sees or saves it: each kind of
# personal data becomes a tag, in this order (a date or a phone number holds digits that
# would otherwise read as a postal code).
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre"
    "|novembre|décembre|decembre"
)
# An order number ("commande 12345", "n° 4521") is masked too: the brand can tie it to the
# person who ordered, so it is personal data; it is tagged for what it is, not as a postal code.
_ORDER_NUMBER = re.compile(
    r"(?P<lead>\b(?:commandes?|cde|num[ée]ro|r[ée]f[ée]rence|r[ée]f\.?)\b\s*(?:de\s+commande\s*)?"
    r"|\bno\.?\s*|n°\s*)(?P<colon>:\s*)?#?\d{4,}\b",
    re.IGNORECASE,
)
# A sum or a count ("12000 euros", "15000 points") says nothing about anyone.
_NOT_A_POSTAL_CODE = r"(?!\s*(?:€|euros?\b|eur\b|points?\b))"
_FREE_TEXT_MASKS = (
    # Starting only where an address can start keeps a long run of letters linear.
    (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE), "<email>"),
    (
        re.compile(r"(?<![\w+])(?:\+|00)?\d{1,3}?[ .-]?\(?0?\d\)?(?:[ .-]?\d{2}){4}(?!\d)"),
        "<téléphone>",
    ),
    (re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "<date>"),
    (re.compile(rf"\b\d{{1,2}}(?:er)? (?:{_MONTHS})(?: \d{{4}})?\b", re.IGNORECASE), "<date>"),
    (_ORDER_NUMBER, r"\g<lead>\g<colon><numéro>"),
    (re.compile(rf"(?<![\d<])\d{{5}}(?!\d){_NOT_A_POSTAL_CODE}"), "<code postal>"),
)


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers, dates, order numbers, postal codes and
    names replaced by ``<email>``, ``<téléphone>``, ``<date>``, ``<numéro>``,
    ``<code postal>``, ``<prénom>`` and ``<nom>``."""
    for pattern, tag in _FREE_TEXT_MASKS:
        text = pattern.sub(tag, text)
    return mask_names(text)
