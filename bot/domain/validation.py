"""Parse and validate the values a consumer types, in French.

Each parser takes the raw text (the consumer may write "mon mail c'est x@y.fr")
and returns a :class:`Parsed` value or raises :class:`InvalidValue`, whose
``reason`` names the response that explains the expected format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidValue(ValueError):
    """The text does not hold a valid value; ``reason`` is a short machine-readable cause."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    """Normalized values to store, keyed by profile field."""

    values: dict[str, str]


def plain_apostrophes(text: str) -> str:
    """Phones type ’ (U+2019) for the apostrophe; the parsers expect '."""
    return text.replace("\u2019", "'").replace("\u02bc", "'")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Every pattern here runs on whatever a consumer types, so each one is linear in the text's
# length (tests/unit/test_bot_input_bounds.py): a match may only start where a run of its
# characters starts, instead of rescanning the same run from each of its positions.
EMAIL_CANDIDATE = re.compile(r"(?<![^\s<>()\[\],;:\"'])[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def parse_email(text: str) -> Parsed:
    match = EMAIL_CANDIDATE.search(text)
    if not match:
        raise InvalidValue("email", "not_an_email")
    candidate = match.group(0).rstrip(".!?")
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue("email", "not_an_email") from exc
    return Parsed({"email": result.normalized.lower()})


PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d\s.\-()]{7,}\d")


def parse_phone(text: str) -> Parsed:
    match = PHONE_CANDIDATE.search(text)
    if not match:
        raise InvalidValue("phone", "not_a_phone")
    raw = match.group(0)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue("phone", "not_a_phone") from exc
    if not phonenumbers.is_valid_number(number) or number.country_code != 33:
        raise InvalidValue("phone", "not_a_phone")
    kind = phonenumbers.number_type(number)
    accepted = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
    if kind not in accepted:
        raise InvalidValue("phone", "not_a_phone")
    return Parsed(
        {"phone": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}
    )


FRENCH_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
NUMERIC_DATE = re.compile(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\b")
WORDED_DATE = re.compile(r"\b(1er|\d{1,2})\s+([a-z]+)\.?\s+(\d{4})\b")
MIN_AGE, MAX_AGE = 13, 110


def parse_birthday(text: str, today: date | None = None) -> Parsed:
    today = today or date.today()
    plain = strip_accents(text.lower())
    match = NUMERIC_DATE.search(plain)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = WORDED_DATE.search(plain)
        if not match or match.group(2) not in FRENCH_MONTHS:
            raise InvalidValue("birthday", "not_a_date")
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        month, year = FRENCH_MONTHS[match.group(2)], int(match.group(3))
    try:
        born = date(year, month, day)
    except ValueError as exc:
        raise InvalidValue("birthday", "not_a_date") from exc
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not MIN_AGE <= age <= MAX_AGE:
        raise InvalidValue("birthday", "implausible_age")
    return Parsed({"birthday": born.isoformat()})


POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
CITY_WORDS = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\- ]*[A-Za-zÀ-ÖØ-öø-ÿ]")
# Every filler word in front of the name at once ("j'habite à"): one pass, not one per word.
CITY_FILLERS = re.compile(
    r"^(?:(?:j'?\s?habite|jhabite|je\s+vis|je\s+suis|j'?\s?suis|j\s+suis|ma\s+ville|c'?est|"
    r"ville|code\s+postal|cp|a|à|au|sur|dans|en|de|:)(?=\s|$)\s*)+",
    re.IGNORECASE,
)


def parse_city(text: str) -> Parsed:
    """A city with its 5-digit postal code, in either order ("Lyon 69003", "69003 Lyon")."""
    text = plain_apostrophes(text)
    codes = POSTAL_CODE.findall(text)
    if len(codes) != 1:
        raise InvalidValue("city", "missing_postal_code")
    postal_code = codes[0]
    if not ("01000" <= postal_code <= "98999") or postal_code.startswith("00"):
        raise InvalidValue("city", "missing_postal_code")
    rest = POSTAL_CODE.sub(" ", text)
    words = [m.group(0).strip() for m in CITY_WORDS.finditer(rest)]
    name = max(words, key=len, default="")
    name = CITY_FILLERS.sub("", name).strip()
    if len(name) < 2:
        raise InvalidValue("city", "missing_city")
    return Parsed({"city": _title_city(name), "postal_code": postal_code})


CITY_PARTICLES = {"en", "de", "du", "des", "la", "le", "les", "sur", "sous", "aux", "et", "d", "l"}


def _title_city(name: str) -> str:
    """``saint-étienne`` -> ``Saint-Étienne``, ``aix en provence`` -> ``Aix-en-Provence``,
    ``le havre`` -> ``Le Havre``, ``villeneuve d'ascq`` -> ``Villeneuve-d'Ascq``."""
    if not (name.islower() or name.isupper()):
        return name
    words = re.split(r"[\s\-]+", name.lower())
    article = ""
    if len(words) > 1 and words[0] in {"le", "la", "les"}:
        article, words = words[0].capitalize() + " ", words[1:]
    titled = []
    for i, word in enumerate(words):
        head, apostrophe, tail = word.rpartition("'")
        if apostrophe:
            word = (head if i else head.capitalize()) + "'" + tail.capitalize()
        elif not (i and word in CITY_PARTICLES):
            word = word[:1].upper() + word[1:]
        titled.append(word)
    return article + "-".join(titled)


# The words a consumer introduces a first name with ("je m'appelle Marie"); the studio's
# masking of free text (bot.domain.masking) recognises names by the same words.
NAME_INTRODUCERS = (
    r"moi\s+c['’]?est|je\s+m['’]?\s?appelle|jm['’]?appelle|mon\s+pr[eé]nom\s+(?:c['’]?est|est)|"
    r"pr[eé]nom\s*:?|appelez[- ]moi|appelle[- ]moi"
)
FIRST_NAME_PREFIX = re.compile(rf"^(?:{NAME_INTRODUCERS}|c'?est)\s*", re.IGNORECASE)
FIRST_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ]+(?:[\-' ][A-Za-zÀ-ÖØ-öø-ÿ]+)?$")


NOT_A_NAME = {
    "non", "oui", "merci", "bonjour", "salut", "pas", "envie", "passer", "stop", "ok",
    "bof", "rien", "aucun", "jamais", "plus", "tard", "coucou", "hello", "bonsoir",
}  # fmt: skip


def parse_first_name(text: str) -> Parsed:
    name = FIRST_NAME_PREFIX.sub("", plain_apostrophes(text).strip()).strip(" .!?")
    words = {w.lower() for w in re.split(r"[\s\-']+", name)}
    if not FIRST_NAME.match(name) or not 2 <= len(name) <= 40 or words & NOT_A_NAME:
        raise InvalidValue("first_name", "not_a_first_name")
    parts = re.split(r"([\-' ])", name)
    return Parsed({"first_name": "".join(p[:1].upper() + p[1:].lower() for p in parts)})


INTEREST_SPLIT = re.compile(r"(?:(?<!\s)\s+)?(?:,|;|/|\bet\b|\+|&)\s*", re.IGNORECASE)
INTEREST_PREFIX = re.compile(
    r"^(?:j'?\s?aime(?:\s+bien)?|j'?\s?adore|je\s+suis\s+passionn[ée]e?\s+(?:de|par)|"
    r"passionn[ée]e?\s+(?:de|par)|mes\s+centres?\s+d'int[ée]r[eê]ts?\s*(?:sont|:)?|"
    r"ce\s+qui\s+m'int[ée]resse\s*(?:c'?est|:)?)\s*",
    re.IGNORECASE,
)
INTEREST_ARTICLE = re.compile(r"^(?:les|la|le|l'|du|de\s+la|des|de|d')\b\s*", re.IGNORECASE)


# Control characters (NUL...) typed or pasted are no part of an interest; PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_interests(text: str) -> Parsed:
    text = CONTROL_CHARACTERS.sub(" ", text)
    body = INTEREST_PREFIX.sub("", plain_apostrophes(text).strip()).strip(" .!")
    items: list[str] = []
    for part in INTEREST_SPLIT.split(body):
        item = INTEREST_ARTICLE.sub("", part.strip()).strip(" .!").lower()
        if len(item) >= 3 and item not in items and re.search(r"[a-zà-ÿ]", item):
            items.append(item)
    if not items or len(", ".join(items)) > 255:
        raise InvalidValue("interests", "no_interest")
    return Parsed({"interests": ", ".join(items[:10])})


CONTACT_CHANNELS = {
    "email": ("mail", "e-mail", "email", "courriel", "mel"),
    "sms": ("sms", "texto", "message"),
    "phone": ("telephone", "tel", "appel", "appelez", "appeler", "portable", "fixe"),
    "messenger": ("messenger", "facebook", "fb"),
    "post": ("courrier", "poste", "lettre", "postal"),
    "none": ("aucun", "jamais", "pas du tout", "ne me contactez pas"),
}


def parse_contact_channel(text: str) -> Parsed:
    plain = strip_accents(text.lower())
    tokens = set(re.findall(r"[a-z]+(?:-[a-z]+)?", plain))
    for channel, words in CONTACT_CHANNELS.items():
        for word in words:
            if (" " in word and word in plain) or word in tokens:
                return Parsed({"contact_channel": channel})
    raise InvalidValue("contact_channel", "unknown_channel")


RATING_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5}
RATING_DIGIT = re.compile(r"(?<![\d,.])([1-5])(?:(?:\s*etoiles?)?\s*(?:/|sur)\s*5)?(?![\d,.])")


RATING_WORD_ANSWER = re.compile(
    r"^(?:je\s+(?:mets|met|donne|dirais)\s+)?(un|une|deux|trois|quatre|cinq)"
    r"(?:\s+etoiles?)?(?:\s+(?:sur|/)\s+(?:5|cinq))?\W*$"
)


def parse_rating(text: str) -> int:
    """A rating from 1 to 5: "4", "4/5", "4 étoiles sur 5", "cinq", "une étoile", "★★★"."""
    plain = " ".join(strip_accents(text.lower()).split())
    digits = RATING_DIGIT.findall(plain)
    if len(set(digits)) == 1:
        return int(digits[0])
    word = RATING_WORD_ANSWER.match(plain)
    if word and not digits:
        return RATING_WORDS[word.group(1)]
    stars = plain.count("★") or plain.count("⭐")
    if 1 <= stars <= 5 and not digits:
        return stars
    raise InvalidValue("rating", "not_a_rating")


PARSERS = {
    "first_name": parse_first_name,
    "email": parse_email,
    "phone": parse_phone,
    "birthday": parse_birthday,
    "city": parse_city,
    "interests": parse_interests,
    "contact_channel": parse_contact_channel,
}


STOP_PHRASE = re.compile(
    r"^(?:(?:bon|non|ok|euh)[\s,]+)?(?:stop|stoppe|arr[eê]t(?:e|ez|er)?|annul(?:e|ez|er)|"
    r"plus\s+tard|pas\s+maintenant|une\s+autre\s+fois|laisse[sz]?\s+tomber|tant\s+pis|"
    r"j'?\s?ai\s+pas\s+le\s+temps|je\s+n'?ai\s+pas\s+le\s+temps|on\s+verra|au\s+revoir|bye|ciao)"
    r"(?:[\s,]+(?:merci|svp|s'il\s+vous\s+pla[iî]t|pour\s+l'instant|pour\s+le\s+moment))*[\s.!]*$",
    re.IGNORECASE,
)


def is_stop_phrase(text: str) -> bool:
    """A message that only asks to stop or postpone ("plus tard", "stop", "bon, stop merci")."""
    return bool(STOP_PHRASE.match(" ".join(text.strip().split())))
