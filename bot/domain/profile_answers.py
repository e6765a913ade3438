"""Every profile value one message gives: "je m'appelle Marie et mon mail c'est
marie@exemple.fr" fills the first name and the e-mail at once.

:func:`values_in` finds the values a message states plainly (an e-mail address, a phone
number, "je m'appelle ...", a date, a city with its postal code), whichever question was
asked; a message that states none is read as the answer to the question asked, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain.validation import (
    EMAIL_CANDIDATE,
    FIRST_NAME_PREFIX,
    PARSERS,
    PHONE_CANDIDATE,
    POSTAL_CODE,
    InvalidValue,
    Parsed,
    parse_birthday,
    parse_city,
    parse_email,
    parse_first_name,
    parse_phone,
    plain_apostrophes,
)

# Clauses of a message that gives several values: "..., ...", "... et ...", "...; ...".
CLAUSE = re.compile(r"\s*(?:[,;]|\bet\b|\.\s|\bpuis\b|\bsinon\b)\s*", re.IGNORECASE)
DATE_HINT = re.compile(r"\d{4}")

# Values found anywhere in the message (then cut out of it, so that a phone number's
# digits are not read again as a date or a postal code).
EVERYWHERE: tuple[tuple[str, re.Pattern[str], Callable[[str], Parsed]], ...] = (
    ("email", EMAIL_CANDIDATE, parse_email),
    ("phone", PHONE_CANDIDATE, parse_phone),
)


def _in_clause(step: str, clause: str) -> Parsed | None:
    """The value of ``step`` a clause states plainly, if any."""
    try:
        if step == "first_name" and FIRST_NAME_PREFIX.match(clause):
            return parse_first_name(clause)
        if step == "birthday" and DATE_HINT.search(clause):
            return parse_birthday(clause)
        if step == "city" and POSTAL_CODE.search(clause):
            return parse_city(clause)
    except InvalidValue:
        return None
    return None


def stated_values(text: str) -> dict[str, Parsed]:
    """The profile values ``text`` states plainly, by form step."""
    found: dict[str, Parsed] = {}
    rest = plain_apostrophes(text)
    for step, pattern, parse in EVERYWHERE:
        match = pattern.search(rest)
        if match is None:
            continue
        try:
            found[step] = parse(match.group(0))
        except InvalidValue:
            continue
        rest = f"{rest[: match.start()]} , {rest[match.end() :]}"
    for clause in CLAUSE.split(rest):
        for step in ("first_name", "birthday", "city"):
            if step not in found and (value := _in_clause(step, clause.strip())) is not None:
                found[step] = value
    return found


def values_in(text: str, asked: str | None) -> dict[str, Parsed]:
    """Every value the message gives, by form step; the answer to ``asked`` when it states
    none plainly. Raises :class:`InvalidValue` (about ``asked``) when it gives nothing."""
    found = stated_values(text)
    if asked is not None and asked not in found and len(found) < 2:
        try:
            return {asked: PARSERS[asked](text)}
        except InvalidValue:
            if not found:
                raise
    if not found:
        raise InvalidValue(asked or "profile", "nothing_found")
    return found
