"""Every pattern that reads consumer text is linear: 200,000 adversarial characters in < 1 s.

The patterns are those of ``bot/domain/validation.py`` and ``data/nlu/regexes.yml`` (run by
Rasa's RegexFeaturizer with Python ``re`` over the whole message). A quadratic pattern takes
minutes on these strings.
"""

from __future__ import annotations

import contextlib
import re
import time

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.domain import validation
from bot.domain.typed_intents import screen_typed

N = 200_000
ADVERSARIAL = {
    "letters": "a" * N,
    "letters then space": "a" * N + " ",
    "a@": "a@" * (N // 2),
    "a.": "a." * (N // 2),
    "a@a.": "a@" + "a." * (N // 2),
    "a@a.1": "a@" + "a." * (N // 2) + "1",
    "-a": "-a" * (N // 2),
    "digits": "1" * N,
    "1.": "1." * (N // 2),
    "1 then spaces": "1" + " " * N,
    "spaces": " " * N,
    "à ": "69003 " + "à " * (N // 2),
    ", ": ", " * (N // 2),
    "1 janvier": "1 " * (N // 2),
    "slashes": "/" + " /" * (N // 2),
    "0033": "0033 " * (N // 5),
}


def regexes_yml() -> list[tuple[str, str]]:
    data = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "regexes.yml").read_text())
    return [
        (entry["regex"], line[2:].strip())
        for entry in data["nlu"]
        for line in entry["examples"].splitlines()
        if line.strip()
    ]


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
@pytest.mark.parametrize(("regex", "pattern"), regexes_yml())
def test_the_nlu_regexes_read_200000_adversarial_characters_in_bounded_time(regex, pattern, name):
    compiled = re.compile(pattern, re.IGNORECASE)  # as RegexFeaturizer (case_sensitive off)
    assert timed(lambda: list(compiled.finditer(ADVERSARIAL[name]))) < 1.0


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
@pytest.mark.parametrize(
    "parse",
    [*validation.PARSERS.values(), validation.parse_rating, validation.is_stop_phrase],
    ids=lambda f: f.__name__,
)
def test_the_form_parsers_read_200000_adversarial_characters_in_bounded_time(parse, name):
    def work() -> None:
        with contextlib.suppress(validation.InvalidValue):
            parse(ADVERSARIAL[name])

    assert timed(work) < 1.0


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_typed_intents_are_screened_in_bounded_time(name):
    assert timed(lambda: screen_typed(ADVERSARIAL[name])) < 1.0


def test_the_email_pattern_still_finds_an_address_in_a_sentence():
    assert validation.parse_email("mon mail c'est marie.dupont@exemple.fr merci").values == {
        "email": "marie.dupont@exemple.fr"
    }
    email = dict(regexes_yml())["email"]
    assert re.search(email, "écrivez à marie.dupont@exemple.fr !").group(0) == (
        "marie.dupont@exemple.fr"
    )
