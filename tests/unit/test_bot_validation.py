"""What Merci accepts, and how it stores it, when a consumer types a value in French."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.validation import (
    InvalidValue,
    parse_birthday,
    parse_city,
    parse_contact_channel,
    parse_email,
    parse_first_name,
    parse_interests,
    parse_phone,
    parse_rating,
)

TODAY = date(2026, 11, 25)


def rejection(parse, text: str, **kwargs) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        parse(text, **kwargs)
    return caught.value


# --- e-mail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("marie.dupont@exemple.fr", "marie.dupont@exemple.fr"),
        ("mon mail c'est Marie.Dupont@Exemple.fr", "marie.dupont@exemple.fr"),
        ("c'est jean@gmail.com.", "jean@gmail.com"),
        ("<Paul@Orange.FR>", "paul@orange.fr"),
    ],
)
def test_an_email_is_found_in_the_sentence_and_stored_in_lowercase(said, stored):
    assert parse_email(said).values == {"email": stored}


@pytest.mark.parametrize("said", ["marie@", "pas de mail", "marie@exemple", "@exemple.fr", ""])
def test_a_text_without_a_valid_email_is_rejected(said):
    error = rejection(parse_email, said)
    assert (error.field, error.reason) == ("email", "not_an_email")


# --- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("07 61 23 45 67", "+33761234567"),
        ("07.61.23.45.67", "+33761234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("mon numéro c'est le 06 12 34 56 78", "+33612345678"),
        ("01 42 68 53 00", "+33142685300"),
        ("02 40 12 34 56", "+33240123456"),
        ("03 20 12 34 56", "+33320123456"),
        ("04 72 00 00 00", "+33472000000"),
        ("05 56 12 34 56", "+33556123456"),
        ("09 51 23 45 67", "+33951234567"),
    ],
)
def test_french_phone_numbers_are_stored_in_international_format(said, stored):
    assert parse_phone(said).values == {"phone": stored}


@pytest.mark.parametrize(
    "said",
    [
        "06 12 34",  # too short
        "06 12 34 56 7",  # one digit missing
        "06 12 34 56 78 9",  # one digit too many
        "+44 20 7946 0958",  # British
        "+32 470 12 34 56",  # Belgian mobile
        "08 99 12 34 56",  # premium-rate service, not a person
        "pas de téléphone",
    ],
)
def test_phone_numbers_that_do_not_reach_a_person_in_france_are_rejected(said):
    error = rejection(parse_phone, said)
    assert (error.field, error.reason) == ("phone", "not_a_phone")


# --- birthday -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("12/03/1990", "1990-03-12"),
        ("12-03-1990", "1990-03-12"),
        ("12.03.1990", "1990-03-12"),
        ("je suis né le 12/03/1990", "1990-03-12"),
        ("12 mars 1990", "1990-03-12"),
        ("1er février 2001", "2001-02-01"),
        ("3 août 1975", "1975-08-03"),
        ("le 3 aout 1975", "1975-08-03"),
        ("25 Décembre 1980", "1980-12-25"),
    ],
)
def test_birthdays_written_the_french_way_are_stored_as_iso_dates(said, stored):
    assert parse_birthday(said, today=TODAY).values == {"birthday": stored}


@pytest.mark.parametrize(
    "said", ["31/02/1990", "30 février 2000", "12/13/1990", "12 brumaire 1990", "hier"]
)
def test_something_that_is_not_a_calendar_date_is_rejected(said):
    assert rejection(parse_birthday, said, today=TODAY).reason == "not_a_date"


@pytest.mark.parametrize(
    "said",
    [
        "12/03/2025",  # born last year
        "12/03/1900",  # 126 years old
        "26/11/2013",  # 13 tomorrow: one day too young
    ],
)
def test_a_birthday_giving_an_implausible_age_is_rejected(said):
    assert rejection(parse_birthday, said, today=TODAY).reason == "implausible_age"


def test_a_consumer_who_turns_13_today_is_old_enough():
    assert parse_birthday("25/11/2013", today=TODAY).values == {"birthday": "2013-11-25"}


# --- city and postal code -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "city", "postal_code"),
    [
        ("Lyon 69003", "Lyon", "69003"),
        ("69003 Lyon", "Lyon", "69003"),
        ("j'habite à Lyon 69003", "Lyon", "69003"),
        ("J'habite à Paris, 75011", "Paris", "75011"),
        ("je vis à Bordeaux 33000", "Bordeaux", "33000"),
        ("Lyon (69003)", "Lyon", "69003"),
        ("saint-étienne 42000", "Saint-Étienne", "42000"),
        ("42000 saint-étienne", "Saint-Étienne", "42000"),
        ("aix en provence 13100", "Aix-en-Provence", "13100"),
        ("j'habite à aix en provence 13100", "Aix-en-Provence", "13100"),
        ("châlons en champagne 51000", "Châlons-en-Champagne", "51000"),
        ("Pointe-à-Pitre 97110", "Pointe-à-Pitre", "97110"),
        ("Ajaccio 20000", "Ajaccio", "20000"),
    ],
)
def test_a_city_is_stored_with_its_postal_code_in_either_order(said, city, postal_code):
    assert parse_city(said).values == {"city": city, "postal_code": postal_code}


@pytest.mark.parametrize(
    "said", ["Lyon", "j'habite à Saint-Étienne", "Lyon 6900", "Lyon 69003 et Paris 75011"]
)
def test_a_city_without_exactly_one_postal_code_is_rejected(said):
    error = rejection(parse_city, said)
    assert (error.field, error.reason) == ("city", "missing_postal_code")


def test_a_postal_code_alone_asks_for_the_city():
    assert rejection(parse_city, "69003").reason == "missing_city"


@pytest.mark.parametrize(
    ("said", "city"),
    [("le havre 76600", "Le Havre"), ("j'habite à la rochelle 17000", "La Rochelle")],
)
def test_a_city_whose_name_starts_with_an_article_keeps_it(said, city):
    assert parse_city(said).values["city"] == city


def test_an_elided_particle_in_a_city_name_stays_lowercase_and_the_next_word_is_capitalised():
    assert parse_city("villeneuve d'ascq 59650").values["city"] == "Villeneuve-d'Ascq"


def test_a_typographic_apostrophe_does_not_end_up_in_the_city_name():
    assert parse_city("J’habite à Lyon 69003").values == {"city": "Lyon", "postal_code": "69003"}


# --- first name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("Marie", "Marie"),
        ("marie", "Marie"),
        ("JEAN", "Jean"),
        ("je m'appelle marie", "Marie"),
        ("Je m'appelle Jean-Pierre", "Jean-Pierre"),
        ("moi c'est Paul", "Paul"),
        ("mon prénom c'est anne-sophie", "Anne-Sophie"),
        ("appelez-moi Lou", "Lou"),
        ("jean-pierre", "Jean-Pierre"),
        ("Marie-Ève", "Marie-Ève"),
        ("chloé", "Chloé"),
    ],
)
def test_a_first_name_is_found_after_the_usual_french_phrasings_and_capitalised(said, stored):
    assert parse_first_name(said).values == {"first_name": stored}


@pytest.mark.parametrize(
    "said",
    [
        "je ne veux pas vous le dire",
        "je préfère ne pas répondre",
        "je m'appelle marie et j'ai 30 ans",
        "j'aime les pommes",
        "12",
        "M",
        "",
    ],
)
def test_a_sentence_is_not_taken_for_a_first_name(said):
    error = rejection(parse_first_name, said)
    assert (error.field, error.reason) == ("first_name", "not_a_first_name")


@pytest.mark.parametrize("said", ["non merci", "pas envie", "bonjour"])
def test_a_refusal_or_a_greeting_is_not_taken_for_a_first_name(said):
    assert rejection(parse_first_name, said).reason == "not_a_first_name"


@pytest.mark.parametrize("said", ["Je m’appelle Marie", "moi c’est Marie"])
def test_a_typographic_apostrophe_in_the_prefix_is_understood(said):
    assert parse_first_name(said).values == {"first_name": "Marie"}


# --- interests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("cuisine, voyages, sport", "cuisine, voyages, sport"),
        ("la cuisine, les voyages et le sport", "cuisine, voyages, sport"),
        ("J'adore la cuisine et les voyages", "cuisine, voyages"),
        ("j'aime bien la mode et la beauté", "mode, beauté"),
        ("Cuisine, VOYAGES", "cuisine, voyages"),
        ("de la musique, du cinéma et des jeux vidéo", "musique, cinéma, jeux vidéo"),
        ("l'escalade", "escalade"),
        ("cuisine, la cuisine", "cuisine"),
    ],
)
def test_interests_are_split_on_commas_and_et_without_articles_in_lowercase(said, stored):
    assert parse_interests(said).values == {"interests": stored}


@pytest.mark.parametrize("said", ["et", "a, b", "..."])
def test_a_text_without_any_interest_is_rejected(said):
    assert rejection(parse_interests, said).reason == "no_interest"


# --- contact channel ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "channel"),
    [
        ("par SMS", "sms"),
        ("par texto", "sms"),
        ("par e-mail", "email"),
        ("par mail", "email"),
        ("courriel", "email"),
        ("par téléphone", "phone"),
        ("Par Telephone", "phone"),
        ("par courrier", "post"),
        ("par la poste", "post"),
        ("Messenger", "messenger"),
        ("ne me contactez pas", "none"),
        ("aucun contact", "none"),
        ("jamais", "none"),
    ],
)
def test_the_preferred_contact_channel_is_recognised(said, channel):
    assert parse_contact_channel(said).values == {"contact_channel": channel}


@pytest.mark.parametrize("said", ["par pigeon voyageur", "peu importe"])
def test_an_unknown_contact_channel_is_rejected(said):
    assert rejection(parse_contact_channel, said).reason == "unknown_channel"


# --- rating -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "rating"),
    [
        ("5", 5),
        ("1", 1),
        ("4 étoiles", 4),
        ("3/5", 3),
        ("5/5", 5),
        ("cinq", 5),
        ("une étoile", 1),
        ("je mets 4 sur 5", 4),
        ("★★★", 3),
        ("5 étoiles !", 5),
    ],
)
def test_a_rating_from_1_to_5_is_understood(said, rating):
    assert parse_rating(said) == rating


@pytest.mark.parametrize("said", ["12", "0", "6", "10/10", "4,5", "bof", ""])
def test_anything_but_a_whole_rating_from_1_to_5_is_rejected(said):
    error = rejection(parse_rating, said)
    assert (error.field, error.reason) == ("rating", "not_a_rating")


@pytest.mark.parametrize(
    ("said", "rating"), [("4 étoiles sur 5", 4), ("je mets 2 étoiles sur 5", 2)]
)
def test_a_rating_in_stars_out_of_5_is_understood(said, rating):
    assert parse_rating(said) == rating
