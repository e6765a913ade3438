"""Every profile value one message gives (bot.domain.profile_answers)."""

from __future__ import annotations

import pytest

from bot.domain.profile_answers import values_in
from bot.domain.validation import InvalidValue


def given(text: str, asked: str | None) -> dict[str, dict[str, str]]:
    return {step: parsed.values for step, parsed in values_in(text, asked).items()}


def test_a_first_name_and_an_email_in_one_sentence():
    assert given("je m'appelle Marie et mon mail c'est marie@exemple.fr", "first_name") == {
        "first_name": {"first_name": "Marie"},
        "email": {"email": "marie@exemple.fr"},
    }


def test_a_city_and_a_phone_number_whichever_was_asked():
    expected = {
        "phone": {"phone": "+33612345678"},
        "city": {"city": "Lyon", "postal_code": "69003"},
    }
    text = "j'habite à Lyon 69003, et mon numéro c'est le 06 12 34 56 78"
    assert given(text, "city") == expected
    assert given(text, "birthday") == expected


def test_a_first_name_and_a_birthday():
    assert given("moi c'est Paul, né le 12/03/1990", None) == {
        "first_name": {"first_name": "Paul"},
        "birthday": {"birthday": "1990-03-12"},
    }


@pytest.mark.parametrize(
    ("asked", "text", "value"),
    [
        ("first_name", "Marie", {"first_name": "Marie"}),
        ("interests", "cuisine et voyages", {"interests": "cuisine, voyages"}),
        ("contact_channel", "par SMS", {"contact_channel": "sms"}),
        ("birthday", "12 mars 1990", {"birthday": "1990-03-12"}),
    ],
)
def test_a_plain_answer_is_the_answer_to_the_question_asked(asked, text, value):
    assert given(text, asked) == {asked: value}


def test_a_value_for_another_question_is_kept_for_it():
    assert given("mon mail c'est paul@exemple.fr", "first_name") == {
        "email": {"email": "paul@exemple.fr"}
    }


def test_nothing_usable_is_invalid_for_the_question_asked():
    with pytest.raises(InvalidValue) as error:
        values_in("marie@", "email")
    assert error.value.field == "email"
