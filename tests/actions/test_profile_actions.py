"""Profile completion, conversation by conversation: what Merci says, what it stores."""

from __future__ import annotations

import re

import pytest
from merci_action_helpers import (
    ALMOST_COMPLETE,
    COMPLETE,
    rendered_variants,
    responses_said,
    slot_values,
    texts_said,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import (
    ActionConfirmProfile,
    ActionGreetConsumer,
    ActionPauseProfile,
    ActionSaveProfileValue,
    ValidateProfileForm,
)

FORM = "profile_form"


def percent(text: str) -> int | None:
    """The percentage a message mentions (French writes « 25 % », with a non-breaking space)."""
    match = re.search(r"(\d+)\s*%", text)
    return int(match.group(1)) if match else None


@pytest.fixture
def answer(tracker_for):
    """The consumer answers the form's question about ``step`` with ``text``."""

    def make(step, text, intent, *, slots=None, **kwargs):
        return tracker_for(
            text,
            intent,
            slots={"requested_slot": step, **(slots or {})},
            extracted={step: text},
            active_loop=FORM,
            form_turn=True,
            **kwargs,
        )

    return make


async def validate(tracker, dispatcher, domain):
    return await ValidateProfileForm().run(dispatcher, tracker, domain)


# --- Starting the form ---------------------------------------------------------------


async def test_new_consumer_is_first_asked_their_first_name(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    # Consumer: « je veux compléter mon profil » -> the form starts, nothing asked yet.
    tracker = tracker_for(
        "je veux compléter mon profil", "update_profile", active_loop=FORM, form_turn=True
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots["requested_slot"] == "first_name"
    assert slots["completeness"] == "0"
    assert slots["profile_complete"] is False
    assert slots["skipped_fields"] == []
    assert slots["pending_offer"] is None
    assert dispatcher.messages == []
    assert db.values(sender_id) == {}


async def test_known_consumer_is_only_asked_what_is_missing(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")
    tracker = tracker_for(
        "compléter mon profil", "update_profile", active_loop=FORM, form_turn=True
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots["requested_slot"] == "phone"
    assert slots["completeness"] == "25"
    assert dispatcher.messages == []


# --- Answering the questions --------------------------------------------------------


async def test_valid_email_is_saved_and_thanked_with_the_percentage(
    consented, answer, dispatcher, domain, db, sender_id, responses
):
    db.given_profile(sender_id, first_name="Marie")
    # Merci: « Quelle est votre adresse e-mail ? »  Consumer: « marie.dupont@exemple.fr »
    tracker = answer("email", "marie.dupont@exemple.fr", "give_email")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    stored = db.profile(sender_id)["email"]
    assert stored.value == "marie.dupont@exemple.fr"
    assert stored.source == "chat"
    assert stored.updated_at is not None
    [thanks] = texts_said(dispatcher)
    assert percent(thanks) == 25
    assert thanks in rendered_variants(
        responses,
        "utter_thank_field_saved",
        first_name="Marie",
        field_label="votre adresse e-mail",
        completeness=25,
    )
    assert "Marie" in thanks
    assert slots["email"] == "marie.dupont@exemple.fr"
    assert slots["completeness"] == "25"
    assert slots["profile_complete"] is False
    assert slots["requested_slot"] == "phone"
    [ack] = db.acknowledgements(sender_id)
    assert (ack.kind, ack.response) == ("field_saved", "utter_thank_field_saved")


async def test_invalid_email_is_explained_asked_again_and_not_stored(
    consented, answer, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")
    tracker = answer("email", "marie@", "give_email")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_invalid_email"]
    assert texts_said(dispatcher) == []
    assert slots["requested_slot"] == "email"
    assert slots["email"] is None
    assert db.values(sender_id) == {"first_name": "Marie"}
    assert db.acknowledgements(sender_id) == []


async def test_french_phone_number_is_stored_in_international_format(
    consented, answer, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")
    tracker = answer("phone", "06 12 34 56 78", "give_phone")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert db.values(sender_id)["phone"] == "+33612345678"
    assert slots["phone"] == "+33612345678"
    assert slots["requested_slot"] == "birthday"
    assert len(texts_said(dispatcher)) == 1


async def test_birthday_of_a_child_is_refused_as_implausible(
    consented, answer, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="m@exemple.fr", phone="+33612345678")
    tracker = answer("birthday", "12/03/2019", "give_birthday")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_invalid_birthday_age"]
    assert slots["requested_slot"] == "birthday"
    assert slots["birthday"] is None
    assert "birthday" not in db.values(sender_id)


async def test_passer_skips_the_question_and_stores_nothing(
    consented, answer, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")
    # Merci: « Quel est votre numéro de téléphone ? »  Consumer: « passer »
    tracker = answer("phone", "passer", "skip_field")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_field_skipped"]
    assert slots["skipped_fields"] == ["phone"]
    assert slots["phone"] is None
    assert slots["requested_slot"] == "birthday"
    assert slots["completeness"] == "25"
    assert db.values(sender_id) == {"first_name": "Marie", "email": "marie.dupont@exemple.fr"}
    assert db.acknowledgements(sender_id) == []


async def test_skipped_questions_are_remembered_for_the_rest_of_the_form(
    consented, answer, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")
    tracker = answer(
        "birthday", "je préfère ne pas répondre", "skip_field", slots={"skipped_fields": ["phone"]}
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots["skipped_fields"] == ["phone", "birthday"]
    assert slots["requested_slot"] == "city"


BUT_INTERESTS = {k: v for k, v in ALMOST_COMPLETE.items() if k != "interests"}


@pytest.mark.parametrize(
    ("step", "text", "known"),
    [
        ("first_name", "passer", {}),
        pytest.param("first_name", "suivant", {}),
        pytest.param("first_name", "je passe", {}),
        pytest.param("interests", "passer", BUT_INTERESTS),
    ],
)
async def test_skipping_a_question_never_stores_the_skip_as_an_answer(
    consented, answer, dispatcher, domain, db, sender_id, step, text, known
):
    db.given_profile(sender_id, **known)
    tracker = answer(step, text, "skip_field")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_field_skipped"]
    assert step not in db.values(sender_id)
    assert slots["skipped_fields"] == [step]
    assert slots[step] is None


async def test_last_missing_answer_completes_the_profile_with_congratulations(
    consented, answer, dispatcher, domain, db, sender_id, responses
):
    db.given_profile(sender_id, paused_at="contact_channel", **ALMOST_COMPLETE)
    # Merci: « Comment préférez-vous que nous vous contactions ? »  Consumer: « par e-mail »
    tracker = answer("contact_channel", "par e-mail", "give_contact_channel")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert db.values(sender_id) == COMPLETE
    assert slots["requested_slot"] is None
    assert slots["profile_complete"] is True
    assert slots["completeness"] == "100"
    [congratulation] = texts_said(dispatcher)
    assert congratulation in rendered_variants(
        responses, "utter_congratulate_profile_complete", first_name="Marie", completeness=100
    )
    assert "Marie" in congratulation
    assert db.consumer(sender_id).profile_paused_at_field is None


async def test_a_retried_validation_stores_and_thanks_only_once(
    consented, answer, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")
    tracker = answer("email", "marie.dupont@exemple.fr", "give_email", message_id="msg-retry")
    first, retry = CollectingDispatcher(), CollectingDispatcher()

    first_events = await validate(tracker, first, domain)
    retry_events = await validate(tracker, retry, domain)

    assert texts_said(retry) == texts_said(first)
    assert len(texts_said(first)) == 1
    assert retry_events == first_events
    emails = [row for row in db.profile(sender_id).values() if row.field == "email"]
    assert len(emails) == 1
    assert len(db.acknowledgements(sender_id)) == 1


@pytest.mark.parametrize(
    ("step", "text", "intent"),
    [
        ("email", "plus tard", "stop"),
        ("first_name", "plus tard", "stop"),
        ("birthday", "tu es un robot ?", "bot_challenge"),
        ("phone", "j'ai besoin d'aide", "ask_help"),
        pytest.param("first_name", "au revoir", "goodbye"),
        pytest.param("interests", "aide", "ask_help"),
        ("first_name", "Supprimez toutes mes données personnelles", "erase_my_data"),
        ("email", "ne me contactez plus jamais", "withdraw_contact"),
        ("phone", "quelles données avez-vous sur moi ?", "ask_my_data"),
    ],
)
async def test_message_that_is_not_an_answer_is_left_to_the_rules(
    consented, answer, dispatcher, domain, db, sender_id, step, text, intent
):
    # Merci asks a question; the consumer says « plus tard » / « tu es un robot ? ».
    # No event: Rasa rejects the form and the matching rule answers (pause, bot, help).
    known = {"first_name": "Marie"} if step != "first_name" else {}
    db.given_profile(sender_id, **known)

    events = await validate(answer(step, text, intent), dispatcher, domain)

    assert events == []
    assert dispatcher.messages == []
    assert db.values(sender_id) == known
    assert db.acknowledgements(sender_id) == []


async def test_question_is_asked_again_after_are_you_a_bot(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")
    tracker = tracker_for(
        "tu es un robot ?",
        "bot_challenge",
        slots={"requested_slot": "email", "skipped_fields": []},
        active_loop=FORM,
        form_turn=True,
        interrupted_by="utter_iamabot",
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots["requested_slot"] == "email"
    assert dispatcher.messages == []
    assert db.values(sender_id) == {"first_name": "Marie"}


async def test_two_thanks_in_a_row_never_use_the_same_sentence(
    consented, answer, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")
    first, second = CollectingDispatcher(), CollectingDispatcher()

    await validate(answer("email", "marie.dupont@exemple.fr", "give_email"), first, domain)
    await validate(answer("phone", "06 12 34 56 78", "give_phone"), second, domain)

    [after_email], [after_phone] = texts_said(first), texts_said(second)
    assert percent(after_email) == 25
    assert percent(after_phone) == 37
    email_ack, phone_ack = db.acknowledgements(sender_id)
    assert email_ack.response == phone_ack.response == "utter_thank_field_saved"
    assert email_ack.variant != phone_ack.variant


async def test_crossing_half_of_the_profile_is_celebrated(
    consented, answer, dispatcher, domain, db, sender_id, responses
):
    db.given_profile(
        sender_id, first_name="Marie", email="marie.dupont@exemple.fr", phone="+33612345678"
    )
    # 3 of 8 fields, birthday skipped; the city step stores the city and the postal code.
    tracker = answer("city", "Lyon 69003", "give_city", slots={"skipped_fields": ["birthday"]})

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert db.values(sender_id)["city"] == "Lyon"
    assert db.values(sender_id)["postal_code"] == "69003"
    assert (slots["city"], slots["postal_code"]) == ("Lyon", "69003")
    [congratulation] = texts_said(dispatcher)
    assert congratulation in rendered_variants(
        responses, "utter_congratulate_profile_50", first_name="Marie", completeness=62
    )
    assert slots["completeness"] == "62"
    assert slots["requested_slot"] == "interests"


# --- Values given outside the form ----------------------------------------------------


async def test_email_given_in_a_sentence_is_saved_and_thanked(
    consented, tracker_for, dispatcher, domain, db, sender_id, responses
):
    tracker = tracker_for("mon mail c'est paul@exemple.fr", "give_email")

    slots = slot_values(await ActionSaveProfileValue().run(dispatcher, tracker, domain))

    stored = db.profile(sender_id)["email"]
    assert (stored.value, stored.source) == ("paul@exemple.fr", "chat")
    [thanks] = texts_said(dispatcher)
    assert percent(thanks) == 12
    assert thanks in rendered_variants(
        responses,
        "utter_thank_field_saved",
        first_name=None,
        field_label="votre adresse e-mail",
        completeness=12,
    )
    assert slots == {"email": "paul@exemple.fr", "completeness": "12", "profile_complete": False}


async def test_truncated_phone_number_is_refused_and_not_stored(
    tracker_for, dispatcher, domain, db, sender_id
):
    tracker = tracker_for("06 12", "give_phone")

    events = await ActionSaveProfileValue().run(dispatcher, tracker, domain)

    assert events == []
    assert responses_said(dispatcher) == ["utter_invalid_phone"]
    assert db.values(sender_id) == {}
    assert db.acknowledgements(sender_id) == []


async def test_city_with_postal_code_fills_both_fields(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    tracker = tracker_for("j'habite à Lyon 69003", "give_city")

    slots = slot_values(await ActionSaveProfileValue().run(dispatcher, tracker, domain))

    assert db.values(sender_id) == {"city": "Lyon", "postal_code": "69003"}
    assert slots["city"] == "Lyon"
    assert slots["postal_code"] == "69003"
    assert slots["completeness"] == "25"


@pytest.mark.parametrize(
    ("intent", "text", "response"),
    [
        ("give_first_name", "je m'appelle 1234", "utter_invalid_first_name"),
        ("give_email", "mon mail c'est marie arobase exemple", "utter_invalid_email"),
        ("give_phone", "mon numéro c'est le 01 02", "utter_invalid_phone"),
        ("give_birthday", "je suis née le 31/02/1990", "utter_invalid_birthday"),
        ("give_birthday", "je suis né le 12 mars 1850", "utter_invalid_birthday_age"),
        ("give_city", "j'habite à Lyon", "utter_invalid_city"),
        ("give_interests", "!!!", "utter_invalid_interests"),
        ("give_contact_channel", "par pigeon voyageur", "utter_invalid_contact_channel"),
    ],
)
async def test_each_invalid_value_is_explained_with_a_domain_response(
    tracker_for, dispatcher, domain, db, sender_id, intent, text, response
):
    events = await ActionSaveProfileValue().run(dispatcher, tracker_for(text, intent), domain)

    assert responses_said(dispatcher) == [response]
    assert response in domain["responses"]
    assert events == []
    assert db.consumer(sender_id) is None


async def test_unrelated_intent_is_not_saved(tracker_for, dispatcher, domain, db, sender_id):
    tracker = tracker_for("bonjour", "greet")

    events = await ActionSaveProfileValue().run(dispatcher, tracker, domain)

    assert events == []
    assert responses_said(dispatcher) == ["utter_default"]
    assert db.consumer(sender_id) is None


# --- "Mes informations sont toujours bonnes" ------------------------------------------


async def test_nothing_to_confirm_for_an_unknown_consumer(
    tracker_for, dispatcher, domain, db, sender_id
):
    tracker = tracker_for("mes infos sont toujours bonnes", "confirm_data")

    events = await ActionConfirmProfile().run(dispatcher, tracker, domain)

    assert events == []
    assert responses_said(dispatcher) == ["utter_nothing_to_confirm"]
    assert db.acknowledgements(sender_id) == []


async def test_confirming_stamps_every_field_and_thanks(
    tracker_for, dispatcher, domain, db, sender_id, responses
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")
    tracker = tracker_for("mes infos sont toujours bonnes", "confirm_data")

    await ActionConfirmProfile().run(dispatcher, tracker, domain)

    profile = db.profile(sender_id)
    assert set(profile) == {"first_name", "email"}
    assert all(row.confirmed_at is not None for row in profile.values())
    [thanks] = texts_said(dispatcher)
    assert thanks in rendered_variants(
        responses, "utter_thank_data_confirmed", first_name="Marie", completeness=25
    )
    assert "Marie" in thanks
    [ack] = db.acknowledgements(sender_id)
    assert ack.kind == "data_confirmed"


# --- « Plus tard », and greeting the consumer next time -------------------------------


async def test_plus_tard_pauses_and_the_next_greeting_offers_to_resume(
    tracker_for, domain, db, sender_id, responses
):
    db.given_profile(
        sender_id, first_name="Marie", email="marie.dupont@exemple.fr", phone="+33612345678"
    )
    # Merci: « Quelle est votre date de naissance ? »  Consumer: « plus tard »
    paused = CollectingDispatcher()
    tracker = tracker_for(
        "plus tard", "stop", slots={"requested_slot": "birthday"}, active_loop=FORM
    )

    pause_events = await ActionPauseProfile().run(paused, tracker, domain)

    assert responses_said(paused) == ["utter_profile_paused"]
    assert slot_values(pause_events) == {"skipped_fields": None}
    assert db.consumer(sender_id).profile_paused_at_field == "birthday"

    # Next visit. Consumer: « bonjour »
    greeted = CollectingDispatcher()
    greet_events = await ActionGreetConsumer().run(greeted, tracker_for("bonjour", "greet"), domain)

    [greeting] = texts_said(greeted)
    assert "votre date de naissance" in greeting
    assert "Marie" in greeting
    assert greeting in rendered_variants(
        responses,
        "utter_offer_resume_profile",
        first_name="Marie",
        completeness="37",
        field_label="votre date de naissance",
    )
    assert greeted.messages[0]["buttons"]
    assert slot_values(greet_events)["pending_offer"] == "resume_profile"


async def test_brand_new_consumer_gets_the_welcome_greeting(
    tracker_for, dispatcher, domain, db, sender_id, responses
):
    events = await ActionGreetConsumer().run(dispatcher, tracker_for("bonjour", "greet"), domain)

    [greeting] = texts_said(dispatcher)
    assert greeting in rendered_variants(responses, "utter_greet_new", brand_name="la marque")
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        "/update_profile",
        "/leave_review",
    ]
    assert slot_values(events)["pending_offer"] is None


async def test_consumer_with_complete_profile_is_greeted_by_first_name(
    tracker_for, dispatcher, domain, db, sender_id, responses
):
    db.given_profile(sender_id, **COMPLETE)

    events = await ActionGreetConsumer().run(dispatcher, tracker_for("salut", "greet"), domain)

    [greeting] = texts_said(dispatcher)
    assert "Marie" in greeting
    assert greeting in rendered_variants(
        responses, "utter_greet_known", first_name="Marie", completeness="100"
    )
    assert slot_values(events)["pending_offer"] is None


async def test_incomplete_profile_gets_an_offer_to_complete_it(
    tracker_for, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie", email="marie.dupont@exemple.fr")

    events = await ActionGreetConsumer().run(dispatcher, tracker_for("bonjour", "greet"), domain)

    [greeting] = texts_said(dispatcher)
    assert "Marie" in greeting
    assert percent(greeting) == 25
    assert slot_values(events)["pending_offer"] == "complete_profile"


async def test_answering_the_paused_question_later_ends_the_pause(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, paused_at="birthday", first_name="Marie")
    tracker = tracker_for("je suis née le 12 mars 1990", "give_birthday")

    await ActionSaveProfileValue().run(dispatcher, tracker, domain)

    assert db.values(sender_id)["birthday"] == "1990-03-12"
    assert db.consumer(sender_id).profile_paused_at_field is None


async def test_two_values_in_one_answer_are_both_saved_and_thanked_once(
    consented, answer, dispatcher, domain, db, sender_id
):
    # Merci: « Comment souhaitez-vous que je vous appelle ? »
    # Consumer: « je m'appelle Marie et mon mail c'est marie@exemple.fr »
    tracker = answer("first_name", "je m'appelle Marie et mon mail c'est marie@exemple.fr", None)

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert db.values(sender_id) == {"first_name": "Marie", "email": "marie@exemple.fr"}
    [thanks] = texts_said(dispatcher)
    assert percent(thanks) == 25
    assert slots["requested_slot"] == "phone", "the next missing field"
    assert len(db.acknowledgements(sender_id)) == 1


async def test_a_value_for_another_question_is_kept_and_the_question_asked_again(
    consented, answer, dispatcher, domain, db, sender_id
):
    # Merci: « Comment souhaitez-vous que je vous appelle ? »  Consumer: « paul@exemple.fr »
    tracker = answer("first_name", "mon mail c'est paul@exemple.fr", "give_email")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert db.values(sender_id) == {"email": "paul@exemple.fr"}
    assert slots["requested_slot"] == "first_name"


async def test_two_values_given_outside_the_form_are_both_saved(
    consented, tracker_for, dispatcher, domain, db, sender_id
):
    tracker = tracker_for("moi c'est Paul, mon numéro : 06 12 34 56 78", "give_first_name")

    await ActionSaveProfileValue().run(dispatcher, tracker, domain)

    assert db.values(sender_id) == {"first_name": "Paul", "phone": "+33612345678"}
    assert len(texts_said(dispatcher)) == 1
