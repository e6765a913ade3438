"""Stored values shown to someone whose identity is not proven: a hint, never the value."""

from __future__ import annotations

import pytest

from bot.domain.masking import identity_proven, masked_value


def test_a_phone_keeps_its_first_two_and_last_two_digits():
    assert masked_value("phone", {"phone": "+33612345678"}) == "06 •• •• •• 78"


def test_an_email_keeps_its_first_letter_and_its_domain():
    assert masked_value("email", {"email": "marie.durand@exemple.fr"}) == "m•••@exemple.fr"


def test_a_birthday_keeps_only_its_year():
    assert masked_value("birthday", {"birthday": "1990-03-12"}) == "••/••/1990"


def test_a_city_keeps_its_first_letter_and_its_departement():
    values = {"city": "Lyon", "postal_code": "69001"}
    assert masked_value("city", values) == "L••• (69•••)"
    assert masked_value("city", {"city": "Annecy"}) == "A•••"


def test_a_first_name_and_interests_keep_their_initials():
    assert masked_value("first_name", {"first_name": "Marie"}) == "M•••"
    assert masked_value("interests", {"interests": "cuisine, jardinage"}) == "C•••, J•••"


def test_a_contact_channel_is_hidden_altogether():
    assert masked_value("contact_channel", {"contact_channel": "sms"}) == "•••"


@pytest.mark.parametrize(
    ("step", "values"),
    [
        ("email", {"email": "marie.durand@exemple.fr"}),
        ("birthday", {"birthday": "1990-03-12"}),
        ("city", {"city": "Villeurbanne", "postal_code": "69100"}),
        ("first_name", {"first_name": "Marie-Hélène"}),
        ("interests", {"interests": "cuisine, jardinage"}),
    ],
)
def test_the_mask_does_not_tell_the_length_of_what_it_hides(step, values):
    longer = {field: value.replace("a", "aaaa") for field, value in values.items()}
    assert masked_value(step, values) == masked_value(step, longer)


def test_a_malformed_value_is_hidden_rather_than_shown():
    assert masked_value("email", {"email": "pas-une-adresse"}) == "•••"
    assert masked_value("birthday", {"birthday": "bientôt"}) == "••/••/••••"


def test_only_messenger_and_a_token_linked_widget_session_are_proven():
    assert identity_proven("facebook", linked_by_token=False)
    assert identity_proven("socketio", linked_by_token=True)
    assert not identity_proven("socketio", linked_by_token=False)
    assert not identity_proven("rest", linked_by_token=False)
    # An external id on a REST identity was never vouched for by a signed token.
    assert not identity_proven("rest", linked_by_token=True)
