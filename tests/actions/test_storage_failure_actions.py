"""Honest failure: when the database cannot store, Merci says so and thanks nobody.

Three ways the database breaks:
- the acknowledgements table is gone: the contribution is written, then the thank-you
  cannot be recorded, so the whole unit of work must roll back (nothing stored);
- the schema was never migrated;
- the file is not a SQLite database at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from merci_action_helpers import responses_said, slot_values, texts_said
from sqlalchemy.engine import make_url

import bot.storage.engine
from actions.privacy import ActionRecordConsent
from actions.profile import (
    ActionConfirmProfile,
    ActionGreetConsumer,
    ActionPauseProfile,
    ActionSaveProfileValue,
    ValidateProfileForm,
)
from actions.reviews import ActionRequestFollowup, ActionSaveReview, ValidateImprovementForm

SAVE_FAILED = ["utter_save_failed"]


def _drop(table: str) -> None:
    with bot.storage.engine.get_engine().begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {table}")


def _file_of(url: str) -> Path:
    return Path(make_url(url).database)


@pytest.fixture
def acknowledgements_lost(db):
    """Everything works but recording the thank-you."""
    _drop("acknowledgements")
    return db


def _break(kind: str, database_url: str) -> None:
    if kind == "acknowledgements_lost":
        _drop("acknowledgements")
    elif kind == "schema_missing":
        for table in ("acknowledgements", "reviews", "profile_fields", "consumers"):
            _drop(table)
    else:
        bot.storage.engine.get_engine().dispose()
        path = _file_of(database_url)
        for leftover in path.parent.glob(path.name + "-*"):
            leftover.unlink()
        path.write_bytes(b"Ceci n'est pas une base de donnees SQLite.\n" * 200)


@pytest.fixture(params=["acknowledgements_lost", "schema_missing", "not_a_database"])
def broken_database(request, db, database_url) -> str:
    """A database where no contribution can be stored."""
    _break(request.param, database_url)
    return request.param


@pytest.fixture(params=["schema_missing", "not_a_database"])
def unreadable_database(request, db, database_url) -> str:
    """A database where nothing can even be read."""
    _break(request.param, database_url)
    return request.param


# --- Whatever the breakage: utter_save_failed, never a thank-you -----------------------


async def test_form_answer_is_not_thanked_when_it_cannot_be_stored(
    consented, broken_database, tracker_for, dispatcher, domain
):
    tracker = tracker_for(
        "marie.dupont@exemple.fr",
        "give_email",
        slots={"requested_slot": "email"},
        extracted={"email": "marie.dupont@exemple.fr"},
        active_loop="profile_form",
        form_turn=True,
    )

    slots = slot_values(await ValidateProfileForm().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == SAVE_FAILED
    assert texts_said(dispatcher) == []
    # The same question is asked again; the value is not kept in the conversation.
    assert slots["requested_slot"] == "email"
    assert slots["email"] is None


async def test_value_outside_the_form_is_not_thanked_when_it_cannot_be_stored(
    consented, broken_database, tracker_for, dispatcher, domain
):
    tracker = tracker_for("mon mail c'est paul@exemple.fr", "give_email")

    events = await ActionSaveProfileValue().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == SAVE_FAILED
    assert texts_said(dispatcher) == []
    assert events == []


async def test_review_is_not_thanked_when_it_cannot_be_stored(
    broken_database, tracker_for, dispatcher, domain
):
    tracker = tracker_for(
        "Très bonne crème",
        "nlu_fallback",
        slots={"product": "Crème hydratante", "rating": 5, "review_text": "Très bonne crème"},
    )

    slots = slot_values(await ActionSaveReview().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == SAVE_FAILED
    assert texts_said(dispatcher) == []
    assert slots == {
        "product": None,
        "product_id": None,
        "rating": None,
        "review_text": None,
        "review_band": None,
        "pending_offer": None,
    }


async def test_call_back_is_not_promised_when_it_cannot_be_recorded(
    unreadable_database, tracker_for, dispatcher, domain
):
    tracker = tracker_for("oui", "affirm", slots={"pending_offer": "human_followup"})

    events = await ActionRequestFollowup().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == SAVE_FAILED
    assert events == []


async def test_greeting_falls_back_to_the_welcome_when_the_profile_cannot_be_read(
    unreadable_database, tracker_for, dispatcher, domain
):
    events = await ActionGreetConsumer().run(dispatcher, tracker_for("bonjour", "greet"), domain)

    assert responses_said(dispatcher) == ["utter_greet_new"]
    assert slot_values(events) == {"pending_offer": None}


async def test_form_start_reports_the_failure_and_stops(
    unreadable_database, tracker_for, dispatcher, domain
):
    tracker = tracker_for(
        "compléter mon profil", "update_profile", active_loop="profile_form", form_turn=True
    )

    slots = slot_values(await ValidateProfileForm().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == SAVE_FAILED
    assert slots["requested_slot"] is None


async def test_pausing_still_stops_the_form(broken_database, tracker_for, dispatcher, domain):
    # Pausing is a convenience: the form stops even if the pause cannot be remembered.
    tracker = tracker_for(
        "plus tard", "stop", slots={"requested_slot": "birthday"}, active_loop="profile_form"
    )

    events = await ActionPauseProfile().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == ["utter_profile_paused"]
    assert slot_values(events) == {"skipped_fields": None}


# --- The thank-you cannot be recorded: the contribution must not be stored either -------


async def test_form_answer_is_rolled_back_with_its_thank_you(
    consented, acknowledgements_lost, tracker_for, dispatcher, domain, sender_id
):
    db = acknowledgements_lost
    db.given_profile(sender_id, first_name="Marie")
    tracker = tracker_for(
        "06 12 34 56 78",
        "give_phone",
        slots={"requested_slot": "phone"},
        extracted={"phone": "06 12 34 56 78"},
        active_loop="profile_form",
        form_turn=True,
    )

    await ValidateProfileForm().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == SAVE_FAILED
    assert db.values(sender_id) == {"first_name": "Marie"}


async def test_new_consumer_is_not_created_by_a_failed_save(
    acknowledgements_lost, tracker_for, dispatcher, domain, sender_id
):
    db = acknowledgements_lost
    tracker = tracker_for("mon mail c'est paul@exemple.fr", "give_email")
    asked = slot_values(await ActionSaveProfileValue().run(dispatcher, tracker, domain))
    assert responses_said(dispatcher) == ["utter_ask_data_consent"]
    dispatcher.messages.clear()

    # « Oui »: the consent and the e-mail it was asked for are stored together, or not at all.
    tracker = tracker_for("Oui", "affirm", slots=asked)
    await ActionRecordConsent().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == SAVE_FAILED
    assert db.consumer(sender_id) is None


async def test_review_is_rolled_back_with_its_thank_you(
    acknowledgements_lost, tracker_for, dispatcher, domain, sender_id
):
    db = acknowledgements_lost
    db.given_profile(sender_id, first_name="Marie")
    tracker = tracker_for(
        "Elle m'a donné des boutons",
        "nlu_fallback",
        slots={"product": "Crème hydratante", "rating": 1, "review_text": "Des boutons"},
    )

    slots = slot_values(await ActionSaveReview().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == SAVE_FAILED
    assert db.reviews(sender_id) == []
    # No review, so no call back to offer.
    assert slots["pending_offer"] is None


async def test_confirmation_is_rolled_back_with_its_thank_you(
    acknowledgements_lost, tracker_for, dispatcher, domain, sender_id
):
    db = acknowledgements_lost
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")

    await ActionConfirmProfile().run(
        dispatcher, tracker_for("mes infos sont toujours bonnes", "confirm_data"), domain
    )

    assert responses_said(dispatcher) == SAVE_FAILED
    assert texts_said(dispatcher) == []
    assert all(row.confirmed_at is None for row in db.profile(sender_id).values())


@pytest.fixture
def reviews_lost(db):
    _drop("reviews")
    return db


async def test_improvement_is_not_thanked_when_it_cannot_be_stored(
    reviews_lost, tracker_for, dispatcher, domain, sender_id
):
    reviews_lost.given_profile(sender_id, first_name="Marie")
    suggestion = "Un flacon plus grand"
    tracker = tracker_for(
        suggestion,
        "nlu_fallback",
        slots={"requested_slot": "improvement"},
        extracted={"improvement": suggestion},
        active_loop="improvement_form",
        form_turn=True,
    )

    slots = slot_values(await ValidateImprovementForm().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == SAVE_FAILED
    assert slots == {"improvement": None, "requested_slot": "improvement"}


async def test_call_back_is_not_promised_when_the_reviews_cannot_be_read(
    reviews_lost, tracker_for, dispatcher, domain, sender_id
):
    reviews_lost.given_profile(sender_id, first_name="Marie")
    tracker = tracker_for("oui", "affirm", slots={"pending_offer": "human_followup"})

    events = await ActionRequestFollowup().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == SAVE_FAILED
    assert events == []
