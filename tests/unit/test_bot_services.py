"""Merci's services against a real SQLite database: what is stored, and what Merci answers."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from bot.domain.validation import (
    Parsed,
    parse_birthday,
    parse_city,
    parse_contact_channel,
    parse_email,
    parse_first_name,
    parse_interests,
    parse_phone,
)
from bot.services import Identity, StorageError
from bot.services.profile import field_event_key
from bot.services.reviews import review_event_key
from bot.storage.models import ProfileField, Review

NBSP = "\u00a0"


def save(service, who, step: str, said: str, message_id: str):
    """What the profile form does with one answer."""
    parsers = {
        "first_name": parse_first_name,
        "email": parse_email,
        "phone": parse_phone,
        "birthday": lambda text: parse_birthday(text, today=date(2026, 11, 25)),
        "city": parse_city,
        "interests": parse_interests,
        "contact_channel": parse_contact_channel,
    }
    return service.profile.save_profile_step(
        who, step, parsers[step](said), field_event_key(step, message_id)
    )


def fields(db) -> dict[str, tuple]:
    """Stored profile: field -> (value, source, updated_at, confirmed_at)."""
    f = ProfileField
    return {
        row[0]: row[1:]
        for row in db.select(f.field, f.value, f.source, f.updated_at, f.confirmed_at)
    }


# --- profile ------------------------------------------------------------------------------


def test_a_saved_answer_is_stored_with_its_source_and_time(service, marie, db, clock):
    save(service, marie, "email", "mon mail c'est Marie.Dupont@Exemple.fr", "m1")
    assert fields(db) == {"email": ("marie.dupont@exemple.fr", "chat", clock.now, None)}


def test_the_city_step_stores_the_city_and_its_postal_code(service, marie, db):
    thanks = save(service, marie, "city", "j'habite à aix en provence 13100", "m1")
    stored = {field: value for field, (value, *_rest) in fields(db).items()}
    assert stored == {"city": "Aix-en-Provence", "postal_code": "13100"}
    assert thanks.completeness == 25


def test_the_thank_you_gives_the_completeness_with_a_non_breaking_space(service, marie):
    thanks = save(service, marie, "email", "marie@exemple.fr", "m1")
    assert thanks.completeness == 12
    assert f"12{NBSP}%" in thanks.reply.text
    assert "12 %" not in thanks.reply.text


def test_the_thank_you_uses_the_first_name_once_it_is_known(service, marie):
    before = save(service, marie, "email", "marie@exemple.fr", "m1")
    named = save(service, marie, "first_name", "je m'appelle marie", "m2")
    after = save(service, marie, "phone", "06 12 34 56 78", "m3")
    assert "Marie" not in before.reply.text
    assert "{" not in before.reply.text
    assert "Marie" in named.reply.text
    assert "Marie" in after.reply.text
    assert f"37{NBSP}%" in after.reply.text


def test_the_first_name_is_said_once_in_the_thank_you(service, marie):
    thanks = save(service, marie, "first_name", "Marie", "m1")
    assert thanks.reply.text.count("Marie") == 1


def test_a_retried_answer_is_stored_and_thanked_once(service, marie, db, clock):
    first = save(service, marie, "email", "marie@exemple.fr", "m1")
    saved_at = clock.now
    clock.advance(seconds=5)
    again = save(service, marie, "email", "marie@exemple.fr", "m1")
    assert again.replayed is True and first.replayed is False
    assert again.reply.text == first.reply.text
    assert again.reply.response == first.reply.response
    assert db.count("profile_fields") == 1
    assert db.count("acknowledgements") == 1
    assert fields(db)["email"][2] == saved_at


def test_two_answers_in_a_row_are_not_thanked_with_the_same_sentence(service, marie):
    email = save(service, marie, "email", "marie@exemple.fr", "m1")
    phone = save(service, marie, "phone", "06 12 34 56 78", "m2")
    assert email.reply.response == phone.reply.response == "utter_thank_field_saved"
    assert email.reply.variant != phone.reply.variant


def test_a_whole_profile_never_repeats_a_sentence_twice_in_a_row(service, marie):
    answers = [
        ("first_name", "Marie"),
        ("email", "marie@exemple.fr"),
        ("phone", "06 12 34 56 78"),
        ("birthday", "12 mars 1990"),
        ("city", "Lyon 69003"),
        ("interests", "la cuisine et les voyages"),
        ("contact_channel", "par SMS"),
    ]
    said = [
        save(service, marie, step, text, f"m{i}").reply for i, (step, text) in enumerate(answers)
    ]
    for previous, current in pairwise(said):
        assert (previous.response, previous.variant) != (current.response, current.variant)
    assert [r.response for r in said] == [
        "utter_thank_field_saved",
        "utter_thank_field_saved",
        "utter_thank_field_saved",
        "utter_congratulate_profile_50",  # 37 % -> 50 %
        "utter_thank_field_saved",
        "utter_congratulate_profile_80",  # 75 % -> 87 %
        "utter_congratulate_profile_complete",
    ]
    assert all("Marie" in r.text for r in said)


def test_crossing_half_of_the_profile_is_congratulated(service, marie):
    save(service, marie, "first_name", "Marie", "m1")
    save(service, marie, "email", "marie@exemple.fr", "m2")
    save(service, marie, "phone", "06 12 34 56 78", "m3")
    thanks = save(service, marie, "birthday", "12/03/1990", "m4")
    assert thanks.completeness == 50
    assert thanks.reply.response == "utter_congratulate_profile_50"
    assert f"50{NBSP}%" in thanks.reply.text


def test_changing_a_value_updates_it_and_its_time(service, marie, db, clock):
    save(service, marie, "email", "marie@exemple.fr", "m1")
    changed_at = clock.advance(days=30)
    save(service, marie, "email", "marie.dupont@exemple.fr", "m2")
    assert fields(db)["email"][:3] == ("marie.dupont@exemple.fr", "chat", changed_at)
    assert db.count("profile_fields") == 1


def test_giving_the_same_value_again_confirms_it_without_changing_its_time(
    service, marie, db, clock
):
    saved_at = clock.now
    save(service, marie, "email", "marie@exemple.fr", "m1")
    confirmed_at = clock.advance(days=30)
    save(service, marie, "email", "Marie@Exemple.fr", "m2")
    assert fields(db)["email"] == ("marie@exemple.fr", "chat", saved_at, confirmed_at)


def test_confirming_the_profile_marks_every_field_as_checked_and_thanks(service, marie, db, clock):
    save(service, marie, "first_name", "Marie", "m1")
    save(service, marie, "city", "Lyon 69003", "m2")
    confirmed_at = clock.advance(days=200)
    thanks = service.freshness.confirm_profile(marie, "confirm:m3")
    assert {field: row[3] for field, row in fields(db).items()} == {
        "first_name": confirmed_at,
        "city": confirmed_at,
        "postal_code": confirmed_at,
    }
    assert thanks.reply.response == "utter_thank_data_confirmed"
    assert "Marie" in thanks.reply.text


def test_values_of_another_step_are_refused_and_nothing_is_stored(service, marie, db):
    with pytest.raises(ValueError):
        service.profile.save_profile_step(
            marie, "email", Parsed({"phone": "+33612345678"}), "field:email:m1"
        )
    assert db.count("profile_fields") == 0
    assert db.count("acknowledgements") == 0


def test_each_consumer_has_their_own_profile(service, marie, db):
    paul = Identity(channel="socketio", sender_id="conversation-paul")
    save(service, marie, "first_name", "Marie", "m1")
    thanks = save(service, paul, "email", "paul@exemple.fr", "m1")
    assert "Marie" not in thanks.reply.text
    assert thanks.completeness == 12
    assert service.profile.profile_state(marie).values == {"first_name": "Marie"}
    assert service.profile.profile_state(paul).values == {"email": "paul@exemple.fr"}


def test_a_paused_profile_resumes_where_it_stopped(service, marie):
    save(service, marie, "first_name", "Marie", "m1")
    service.profile.pause_profile(marie, "email")
    state = service.profile.profile_state(marie)
    assert state.paused_at == "email"
    assert state.missing_steps() == [
        "email",
        "phone",
        "birthday",
        "city",
        "interests",
        "contact_channel",
    ]
    save(service, marie, "email", "marie@exemple.fr", "m2")
    assert service.profile.profile_state(marie).paused_at is None


# --- reviews ------------------------------------------------------------------------------


def review(
    service, who, rating: int, product: str | None, message_id: str, text: str = "Très bien."
):
    return service.reviews.save_review(who, rating, text, product, review_event_key(message_id))


def test_a_first_5_star_review_gets_the_first_review_thanks(service, marie, db):
    thanks = review(service, marie, 5, "Crème hydratante", "r1")
    assert thanks.reply.response == "utter_thank_first_review_5"
    assert thanks.band == "high"
    assert db.select(Review.rating, Review.product, Review.channel) == [
        (5, "Crème hydratante", "socketio")
    ]


def test_a_second_5_star_review_of_the_same_product_is_recognised_despite_accents_and_case(
    service, marie
):
    review(service, marie, 5, "Crème hydratante", "r1")
    thanks = review(service, marie, 5, "creme HYDRATANTE", "r2")
    assert thanks.reply.response == "utter_thank_review_5_same_product"
    assert "creme HYDRATANTE" in thanks.reply.text


def test_a_second_5_star_review_of_another_product_counts_the_reviews(service, marie):
    save(service, marie, "first_name", "Marie", "m1")
    review(service, marie, 5, "Crème hydratante", "r1")
    thanks = review(service, marie, 5, "Savon doux", "r2")
    assert thanks.reply.response == "utter_thank_review_5"
    assert "Marie" in thanks.reply.text


def test_a_2_star_review_gets_an_apology_and_an_offer_to_be_called_back(service, marie):
    thanks = review(service, marie, 2, "Savon doux", "r1", text="Il dessèche la peau.")
    assert thanks.reply.response == "utter_apologize_review_low"
    assert thanks.band == "low"
    assert "désolé" in thanks.reply.text
    assert "bravo" not in thanks.reply.text.lower()
    assert [b["payload"] for b in thanks.reply.buttons] == ["/affirm", "/deny"]


@pytest.mark.parametrize(("rating", "band"), [(3, "middle"), (4, "middle")])
def test_a_3_or_4_star_review_is_thanked_without_fanfare(service, marie, rating, band):
    thanks = review(service, marie, rating, None, "r1")
    assert thanks.reply.response == "utter_thank_first_review_middle"
    assert thanks.band == band
    assert f"{rating} étoiles" in thanks.reply.text


def test_a_retried_review_is_stored_and_thanked_once(service, marie, db):
    first = review(service, marie, 5, "Crème hydratante", "r1")
    again = review(service, marie, 5, "Crème hydratante", "r1")
    assert again.replayed is True
    assert again.reply.text == first.reply.text
    assert db.count("reviews") == 1
    assert db.count("acknowledgements") == 1


def test_consecutive_5_star_reviews_are_thanked_with_different_sentences(service, marie):
    replies = [review(service, marie, 5, None, f"r{i}").reply for i in range(1, 5)]
    for previous, current in pairwise(replies):
        assert (previous.response, previous.variant) != (current.response, current.variant)
    assert "4e avis" in replies[-1].text or "4 avis" in replies[-1].text


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused_and_nothing_is_stored(service, marie, db, rating):
    with pytest.raises(ValueError):
        review(service, marie, rating, "Savon doux", "r1")
    assert db.count("reviews") == 0
    assert db.count("acknowledgements") == 0
    assert db.count("consumers") == 0


def test_the_suggestion_for_a_5_goes_with_the_latest_review(service, marie, db):
    review(service, marie, 4, "Savon doux", "r1")
    review(service, marie, 3, "Crème hydratante", "r2")
    assert service.reviews.add_review_improvement(marie, "Un parfum plus léger.") is True
    assert db.select(Review.product, Review.improvement, order_by=Review.id) == [
        ("Savon doux", None),
        ("Crème hydratante", "Un parfum plus léger."),
    ]


def test_a_call_back_request_goes_with_the_latest_review_and_keeps_its_first_time(
    service, marie, db, clock
):
    review(service, marie, 4, "Savon doux", "r1")
    review(service, marie, 1, "Crème hydratante", "r2")
    asked_at = clock.advance(minutes=1)
    assert service.reviews.request_followup(marie) is True
    clock.advance(minutes=5)
    assert service.reviews.request_followup(marie) is True
    assert db.select(Review.product, Review.followup_requested_at, order_by=Review.id) == [
        ("Savon doux", None),
        ("Crème hydratante", asked_at),
    ]


def test_nothing_to_attach_without_a_review(service, marie, db):
    assert service.reviews.add_review_improvement(marie, "Un parfum plus léger.") is False
    assert service.reviews.request_followup(marie) is False
    assert db.count("reviews") == 0


# --- failures are told honestly -----------------------------------------------------------


def test_a_missing_table_raises_storage_error_and_stores_nothing(service, marie, db):
    db.execute("DROP TABLE profile_fields")
    with pytest.raises(StorageError):
        save(service, marie, "email", "marie@exemple.fr", "m1")
    assert db.count("consumers") == 0
    assert db.count("acknowledgements") == 0


def test_a_failing_thank_you_write_leaves_no_field_without_its_thanks(service, marie, db):
    db.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON acknowledgements "
        "BEGIN SELECT RAISE(ABORT, 'disque plein'); END"
    )
    with pytest.raises(StorageError):
        save(service, marie, "email", "marie@exemple.fr", "m1")
    assert db.count("profile_fields") == 0
    assert db.count("consumers") == 0


def test_a_failing_field_write_leaves_no_thanks_without_its_field(service, marie, db):
    db.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON profile_fields "
        "BEGIN SELECT RAISE(ABORT, 'disque plein'); END"
    )
    with pytest.raises(StorageError):
        save(service, marie, "email", "marie@exemple.fr", "m1")
    assert db.count("acknowledgements") == 0
    assert db.count("consumers") == 0


def test_a_failing_review_write_stores_no_review_and_no_thanks(service, marie, db):
    db.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON acknowledgements "
        "BEGIN SELECT RAISE(ABORT, 'disque plein'); END"
    )
    with pytest.raises(StorageError):
        review(service, marie, 5, "Crème hydratante", "r1")
    assert db.count("reviews") == 0
    assert db.count("acknowledgements") == 0


def test_after_a_failure_the_same_answer_can_be_saved_and_is_thanked(service, marie, db):
    db.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON acknowledgements "
        "BEGIN SELECT RAISE(ABORT, 'disque plein'); END"
    )
    with pytest.raises(StorageError):
        save(service, marie, "email", "marie@exemple.fr", "m1")
    db.execute("DROP TRIGGER disk_full")
    thanks = save(service, marie, "email", "marie@exemple.fr", "m1")
    assert thanks.replayed is False
    assert db.count("profile_fields") == 1
    assert db.count("acknowledgements") == 1


# --- late retries -------------------------------------------------------------------------


def test_a_late_retry_of_an_answer_returns_the_reply_first_given(service, marie):
    first = save(service, marie, "email", "marie@exemple.fr", "m1")
    save(service, marie, "phone", "06 12 34 56 78", "m2")
    again = save(service, marie, "email", "marie@exemple.fr", "m1")
    assert again.replayed is True
    assert again.reply.text == first.reply.text


def test_a_late_retry_of_a_review_names_the_product_of_that_review(service, marie):
    review(service, marie, 5, "Crème hydratante", "r1")
    first = review(service, marie, 5, "creme HYDRATANTE", "r2")
    review(service, marie, 2, "Savon doux", "r3")
    again = review(service, marie, 5, "creme HYDRATANTE", "r2")
    assert again.replayed is True
    assert again.reply.text == first.reply.text
