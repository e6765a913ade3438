"""Reviews, conversation by conversation: the form, the thank-you, and what follows."""

from __future__ import annotations

import re

import pytest
from merci_action_helpers import rendered_variants, responses_said, slot_values, texts_said
from rasa_sdk.executor import CollectingDispatcher

from actions.reviews import (
    ActionDeclineOffer,
    ActionRequestFollowup,
    ActionSaveReview,
    ValidateImprovementForm,
    ValidateReviewForm,
)

FORM = "review_form"
NO_PRAISE = re.compile(r"bravo|f[ée]licit", re.IGNORECASE)


@pytest.fixture
def answer(tracker_for):
    """The consumer answers the review form's question about ``step``, the questions
    before it answered already (the Crème de jour, 5 stars)."""

    def make(step, text, intent, *, slots=None, extracted=None, **kwargs):
        earlier = {"product": "Crème de jour", "product_id": "creme-de-jour", "rating": 5}
        answered = dict(list(earlier.items())[: {"product": 0, "rating": 2}.get(step, 3)])
        return tracker_for(
            text,
            intent,
            slots={**answered, "requested_slot": step, **(slots or {})},
            extracted=extracted if extracted is not None else {step: text},
            active_loop=FORM,
            form_turn=True,
            **kwargs,
        )

    return make


@pytest.fixture
def review_written(tracker_for):
    """The form is done: the consumer just wrote the review text; Merci saves it."""

    def make(rating, text="Très bonne crème", product="Crème hydratante", **kwargs):
        return tracker_for(
            text,
            "nlu_fallback",
            slots={"product": product, "rating": rating, "review_text": text},
            **kwargs,
        )

    return make


async def validate(tracker, dispatcher, domain):
    return await ValidateReviewForm().run(dispatcher, tracker, domain)


# --- The review form ---------------------------------------------------------------


async def test_starting_a_review_forgets_the_previous_one_and_asks_the_product(
    tracker_for, dispatcher, domain, db
):
    # Consumer: « je veux laisser un avis », with an earlier review still in the slots.
    tracker = tracker_for(
        "je veux laisser un avis",
        "leave_review",
        slots={
            "product": "Shampoing doux",
            "rating": 2,
            "review_text": "Bof",
            "pending_offer": "human_followup",
        },
        active_loop=FORM,
        form_turn=True,
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {
        "product": None,
        "product_id": None,
        "rating": None,
        "review_text": None,
        "pending_offer": None,
        "requested_slot": "product",
    }
    assert dispatcher.messages == []


async def test_product_named_then_rating_asked(answer, dispatcher, domain):
    # Merci: « Quel produit souhaitez-vous évaluer ? »  Consumer: « Crème hydratante »,
    # another name of the Crème de jour in data/products.yml.
    slots = slot_values(
        await validate(answer("product", "Crème hydratante", "nlu_fallback"), dispatcher, domain)
    )

    assert slots == {
        "product": "Crème de jour",
        "product_id": "creme-de-jour",
        "requested_slot": "rating",
    }
    assert dispatcher.messages == []


async def test_product_skipped_means_the_brand_in_general(answer, dispatcher, domain):
    tracker = answer("product", "passer", "skip_field")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {"product": "", "requested_slot": "rating"}
    assert dispatcher.messages == []


async def test_unusable_product_name_is_asked_again(answer, dispatcher, domain):
    slots = slot_values(await validate(answer("product", "?", "nlu_fallback"), dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_invalid_product"]
    assert slots == {"product": None, "requested_slot": "product"}


@pytest.mark.parametrize("text", ["5", "5 étoiles", "5/5", "cinq sur cinq", "★★★★★"])
async def test_rating_written_in_words_digits_or_stars(answer, dispatcher, domain, text):
    slots = slot_values(await validate(answer("rating", text, "give_rating"), dispatcher, domain))

    assert slots == {"rating": 5, "requested_slot": "review_text"}
    assert dispatcher.messages == []


async def test_rating_entity_is_used(answer, dispatcher, domain):
    tracker = answer(
        "rating",
        "je mets 4",
        "give_rating",
        entities=[{"entity": "rating", "value": "4", "start": 8, "end": 9}],
        extracted={"rating": "4"},
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {"rating": 4, "requested_slot": "review_text"}


@pytest.mark.parametrize("text", ["12", "0", "6 étoiles", "entre 3 et 4"])
async def test_rating_out_of_range_is_refused(answer, dispatcher, domain, text):
    slots = slot_values(await validate(answer("rating", text, "give_rating"), dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_invalid_rating"]
    assert slots == {"rating": None, "requested_slot": "rating"}


async def test_review_text_ends_the_form(answer, dispatcher, domain):
    tracker = answer(
        "review_text",
        "Très bonne crème",
        "nlu_fallback",
        slots={"product": "Crème hydratante", "rating": 5},
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {"review_text": "Très bonne crème", "requested_slot": None}
    assert dispatcher.messages == []


async def test_one_letter_review_text_is_asked_again(answer, dispatcher, domain):
    tracker = answer("review_text", "k", "nlu_fallback")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert responses_said(dispatcher) == ["utter_invalid_review_text"]
    assert slots == {"review_text": None, "requested_slot": "review_text"}


async def test_question_is_asked_again_after_an_interruption(tracker_for, dispatcher, domain):
    # Merci: « Quelle note lui donnez-vous ? »  Consumer: « tu es un robot ? »
    # Rasa answers with utter_iamabot, then the form resumes.
    tracker = tracker_for(
        "tu es un robot ?",
        "bot_challenge",
        slots={"requested_slot": "rating", "product": "Crème hydratante"},
        active_loop=FORM,
        form_turn=True,
        interrupted_by="utter_iamabot",
    )

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {"requested_slot": "rating"}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("step", "text", "intent"),
    [
        ("product", "tu es un robot ?", "bot_challenge"),
        ("product", "/thank", "thank"),  # a thumbs-up sticker on Messenger
        ("rating", "plus tard", "stop"),
        ("review_text", "au revoir", "goodbye"),
        pytest.param(
            "rating",
            "tu es un robot ?",
            "bot_challenge",
        ),
    ],
)
async def test_message_that_answers_nothing_is_left_to_the_rules(
    answer, dispatcher, domain, step, text, intent
):
    # No event, so that Rasa rejects the form and the matching rule answers.
    tracker = answer(step, text, intent, slots={"product": "Crème hydratante"})

    assert await validate(tracker, dispatcher, domain) == []
    assert dispatcher.messages == []


async def test_an_article_is_not_a_one_star_rating(answer, dispatcher, domain):
    tracker = answer("rating", "une vraie réussite", "give_rating")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots.get("rating") != 1
    assert responses_said(dispatcher) == ["utter_invalid_rating"]


async def test_an_opinion_given_when_the_rating_was_asked_is_kept_as_the_text(
    answer, dispatcher, domain
):
    # Merci: « Quelle note lui donnez-vous ? »  Consumer: « c'est un très bon produit »
    tracker = answer("rating", "c'est un très bon produit", "give_rating")

    slots = slot_values(await validate(tracker, dispatcher, domain))

    assert slots == {
        "rating": None,
        "review_text": "c'est un très bon produit",
        "requested_slot": "rating",
    }, "not a one-star rating: the review's text, and the rating is asked again"
    assert dispatcher.messages == []


# --- Saving the review and thanking ---------------------------------------------------


async def test_first_five_star_review_is_stored_and_warmly_thanked(
    review_written, dispatcher, domain, db, sender_id, responses
):
    slots = slot_values(await ActionSaveReview().run(dispatcher, review_written(5), domain))

    [review] = db.reviews(sender_id)
    assert (review.rating, review.text) == (5, "Très bonne crème")
    assert (review.product, review.product_key) == ("Crème hydratante", "creme hydratante")
    assert review.channel == "rest"
    [thanks] = texts_said(dispatcher)
    assert thanks in rendered_variants(
        responses,
        "utter_thank_first_review_5",
        first_name=None,
        rating=5,
        review_count=1,
        product="Crème hydratante",
    )
    assert slots == {
        "product": None,
        "product_id": None,
        "rating": None,
        "review_text": None,
        "review_band": "high",
        "pending_offer": None,
    }
    [ack] = db.acknowledgements(sender_id)
    assert (ack.kind, ack.response) == ("review", "utter_thank_first_review_5")


async def test_rating_from_a_float_slot_is_understood(
    review_written, dispatcher, domain, db, sender_id
):
    # The rating slot is a float slot: Rasa may hand it back as 5.0.
    slots = slot_values(await ActionSaveReview().run(dispatcher, review_written(5.0), domain))

    assert slots["review_band"] == "high"
    assert [r.rating for r in db.reviews(sender_id)] == [5]


async def test_known_consumer_is_thanked_by_first_name(
    review_written, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")

    await ActionSaveReview().run(dispatcher, review_written(5), domain)

    [thanks] = texts_said(dispatcher)
    assert "Marie" in thanks


async def test_four_stars_is_a_middle_review(
    review_written, dispatcher, domain, db, sender_id, responses
):
    slots = slot_values(await ActionSaveReview().run(dispatcher, review_written(4), domain))

    assert slots["review_band"] == "middle"
    assert slots["pending_offer"] is None
    [thanks] = texts_said(dispatcher)
    assert thanks in rendered_variants(
        responses, "utter_thank_first_review_middle", first_name=None, rating=4, review_count=1
    )
    assert [r.rating for r in db.reviews(sender_id)] == [4]


async def test_one_star_apologizes_offers_a_call_back_and_never_congratulates(
    review_written, dispatcher, domain, db, sender_id, responses
):
    tracker = review_written(1, text="Elle m'a donné des boutons")

    slots = slot_values(await ActionSaveReview().run(dispatcher, tracker, domain))

    assert slots["review_band"] == "low"
    assert slots["pending_offer"] == "human_followup"
    assert (slots["product"], slots["rating"], slots["review_text"]) == (None, None, None)
    [apology] = texts_said(dispatcher)
    assert not NO_PRAISE.search(apology)
    assert apology in rendered_variants(
        responses, "utter_apologize_review_low", first_name=None, rating=1, review_count=1
    )
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    [review] = db.reviews(sender_id)
    assert (review.rating, review.text) == (1, "Elle m'a donné des boutons")


@pytest.mark.parametrize("rating", [1, 2])
async def test_low_ratings_never_congratulate_even_for_a_known_consumer(
    review_written, dispatcher, domain, db, sender_id, rating
):
    db.given_profile(sender_id, first_name="Marie")
    db.given_review(sender_id, 5, product="Crème hydratante")
    db.given_review(sender_id, 1, product="Crème hydratante")

    await ActionSaveReview().run(dispatcher, review_written(rating), domain)

    [apology] = texts_said(dispatcher)
    assert not NO_PRAISE.search(apology)


async def test_coming_back_to_the_same_product_is_noticed(
    review_written, dispatcher, domain, db, sender_id, responses
):
    db.given_review(sender_id, 4, product="creme  HYDRATANTE")

    await ActionSaveReview().run(dispatcher, review_written(5), domain)

    [thanks] = texts_said(dispatcher)
    assert thanks in rendered_variants(
        responses,
        "utter_thank_review_5_same_product",
        first_name=None,
        rating=5,
        review_count=2,
        product="Crème hydratante",
    )
    assert len(db.reviews(sender_id)) == 2


async def test_a_retried_save_stores_the_review_once(review_written, domain, db, sender_id):
    tracker = review_written(5, message_id="msg-review-retry")
    first, retry = CollectingDispatcher(), CollectingDispatcher()

    first_events = await ActionSaveReview().run(first, tracker, domain)
    retry_events = await ActionSaveReview().run(retry, tracker, domain)

    assert texts_said(retry) == texts_said(first)
    assert retry_events == first_events
    assert len(db.reviews(sender_id)) == 1
    assert len(db.acknowledgements(sender_id)) == 1


# --- After a low review: the call back ------------------------------------------------


async def test_accepting_the_call_back_is_recorded_on_the_review(
    tracker_for, dispatcher, domain, db, sender_id
):
    db.given_review(sender_id, 5, product="Shampoing doux")
    db.given_review(sender_id, 1, product="Crème hydratante")
    # Merci: « Voulez-vous qu'une personne ... vous recontacte ? »  Consumer: « oui »
    tracker = tracker_for("oui", "affirm", slots={"pending_offer": "human_followup"})

    slots = slot_values(await ActionRequestFollowup().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == ["utter_followup_confirmed"]
    assert slots == {"pending_offer": None}
    older, latest = db.reviews(sender_id)
    assert latest.followup_requested_at is not None
    assert older.followup_requested_at is None


async def test_declining_the_call_back(tracker_for, dispatcher, domain, db, sender_id):
    db.given_review(sender_id, 1)
    tracker = tracker_for("non merci", "deny", slots={"pending_offer": "human_followup"})

    slots = slot_values(await ActionDeclineOffer().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == ["utter_followup_declined"]
    assert slots == {"pending_offer": None}
    assert db.reviews(sender_id)[0].followup_requested_at is None


async def test_declining_the_profile_offer(tracker_for, dispatcher, domain):
    tracker = tracker_for("plus tard", "stop", slots={"pending_offer": "complete_profile"})

    slots = slot_values(await ActionDeclineOffer().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == ["utter_ok_later"]
    assert slots == {"pending_offer": None}


# --- After a middle review: what would make it a 5 -------------------------------------


async def test_improvement_form_starts_by_asking_the_question(tracker_for, dispatcher, domain):
    tracker = tracker_for(
        "Correcte", "nlu_fallback", active_loop="improvement_form", form_turn=True
    )

    slots = slot_values(await ValidateImprovementForm().run(dispatcher, tracker, domain))

    assert slots == {"improvement": None, "requested_slot": "improvement"}
    assert dispatcher.messages == []


async def test_improvement_suggestion_is_attached_to_the_latest_review(
    tracker_for, dispatcher, domain, db, sender_id
):
    db.given_review(sender_id, 5, product="Shampoing doux")
    db.given_review(sender_id, 4, product="Crème hydratante")
    # Merci: « Qu'est-ce qui vous aurait fait mettre 5 étoiles ? »
    suggestion = "Un flacon plus grand et un parfum plus léger"
    tracker = tracker_for(
        suggestion,
        "nlu_fallback",
        slots={"requested_slot": "improvement"},
        extracted={"improvement": suggestion},
        active_loop="improvement_form",
        form_turn=True,
    )

    slots = slot_values(await ValidateImprovementForm().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == ["utter_improvement_thanks"]
    assert slots == {"improvement": None, "requested_slot": None}
    older, latest = db.reviews(sender_id)
    assert latest.improvement == suggestion
    assert older.improvement is None


async def test_improvement_question_can_be_skipped(tracker_for, dispatcher, domain, db, sender_id):
    db.given_review(sender_id, 3)
    tracker = tracker_for(
        "passer",
        "skip_field",
        slots={"requested_slot": "improvement"},
        extracted={"improvement": "passer"},
        active_loop="improvement_form",
        form_turn=True,
    )

    slots = slot_values(await ValidateImprovementForm().run(dispatcher, tracker, domain))

    assert responses_said(dispatcher) == ["utter_ok_later"]
    assert slots == {"improvement": None, "requested_slot": None}
    assert db.reviews(sender_id)[0].improvement is None


# --- Nothing to attach to: the service says so, the action must not pretend --------------

NOTHING_RECORDED = (
    "BUG: ReviewService.request_followup / add_review_improvement return False when the "
    "consumer has no review (nothing recorded), but ActionRequestFollowup and "
    "ValidateImprovementForm ignore the result and confirm anyway. Reachable when the "
    "tracker still holds pending_offer=human_followup (carried over sessions) while the "
    "database has no review for this consumer, e.g. after the consumer's data were erased."
)


async def test_call_back_is_not_promised_when_there_is_no_review_to_follow_up(
    tracker_for, dispatcher, domain, db, sender_id
):
    db.given_profile(sender_id, first_name="Marie")
    tracker = tracker_for("oui", "affirm", slots={"pending_offer": "human_followup"})

    await ActionRequestFollowup().run(dispatcher, tracker, domain)

    assert db.reviews(sender_id) == []
    assert "utter_followup_confirmed" not in responses_said(dispatcher)


async def test_suggestion_is_not_thanked_when_there_is_no_review_to_attach_it_to(
    tracker_for, dispatcher, domain, db, sender_id
):
    suggestion = "Un flacon plus grand"
    tracker = tracker_for(
        suggestion,
        "nlu_fallback",
        slots={"requested_slot": "improvement"},
        extracted={"improvement": suggestion},
        active_loop="improvement_form",
        form_turn=True,
    )

    await ValidateImprovementForm().run(dispatcher, tracker, domain)

    assert "utter_improvement_thanks" not in responses_said(dispatcher)
