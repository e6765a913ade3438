"""Reviews: the review form, saving the review, and what follows a low or middle rating."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    identity,
    in_thread,
    is_interruption,
    latest_intent,
    latest_text,
    message_id,
    say,
    services,
    user_just_spoke,
)
from bot.domain.review_answers import MAX_TEXT, ReviewDraft, read_review_message
from bot.services import StorageError
from bot.services.reviews import review_event_key

REVIEW_STEPS = ("product", "rating", "review_text")
# Set by the form's validation for action_ask_product: the products to choose between,
# or that the one named is not in the catalogue.
PRODUCT_QUESTION = ("product_choices", "product_not_found")


def _review_text(text: str) -> str | None:
    body = text.strip()
    return body if 2 <= len(body) <= MAX_TEXT else None


def draft_of(tracker: Tracker, asked: str) -> ReviewDraft:
    """The review so far, without the answer to ``asked``: this message gives it."""
    rating = tracker.get_slot("rating") if asked != "rating" else None
    draft = ReviewDraft(
        product=tracker.get_slot("product") if asked != "product" else None,
        product_id=tracker.get_slot("product_id") if asked != "product" else None,
        rating=int(rating) if rating is not None else None,
        text=tracker.get_slot("review_text") if asked != "review_text" else None,
    )
    return draft


def draft_events(draft: ReviewDraft, before: ReviewDraft | None) -> list[EventType]:
    """Slot events for what ``draft`` changed (every slot when ``before`` is None)."""
    slots = {
        "product": (draft.product, before and before.product),
        "product_id": (draft.product_id, before and before.product_id),
        "rating": (draft.rating, before and before.rating),
        "review_text": (draft.text, before and before.text),
    }
    return [
        SlotSet(slot, now) for slot, (now, then) in slots.items() if before is None or now != then
    ]


class ValidateReviewForm(Action):
    """Keep whatever each message says about the product, the rating and the text, from
    the sentence that starts the review on; ask only what is still missing."""

    def name(self) -> str:
        return "validate_review_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = tracker.get_slot("requested_slot")
        if step and not user_just_spoke(tracker):
            # Back from an interruption ("tu es un robot ?"): ask the same question again.
            return [SlotSet("requested_slot", step)]
        if step and is_interruption(tracker):
            return []
        # Activation starts a fresh review (whatever an earlier one left in the slots) from
        # what the opening sentence says.
        draft = draft_of(tracker, step) if step else ReviewDraft()
        reading = read_review_message(
            latest_text(tracker),
            draft,
            services().catalogue,
            step,
            skipped=latest_intent(tracker) == "skip_field",
        )
        events = draft_events(reading.draft, draft if step else None)
        if step and not any(e["name"] == step for e in events):
            events.append(SlotSet(step, reading.draft.value(step)))
        if not step:
            events.append(SlotSet("pending_offer", None))
        if reading.problem == "invalid" and step:
            dispatcher.utter_message(response=f"utter_invalid_{step}")
        elif reading.problem == "product_ambiguous":
            events.append(SlotSet("product_choices", [p.name for p in reading.choices]))
        elif reading.problem == "product_not_found":
            events.append(SlotSet("product_not_found", True))
        return [*events, SlotSet("requested_slot", reading.draft.next_step())]


# The responses that ask for the product (Rasa records each one's name with what was said).
PRODUCT_QUESTIONS = frozenset(
    {"utter_ask_product", "utter_ask_product_again", "utter_ask_product_choice"}
)


def product_already_asked(tracker: Tracker) -> bool:
    """Whether this review form has already asked for the product once."""
    asked = False
    for event in tracker.events:
        if event.get("event") == "active_loop" and event.get("name") == "review_form":
            asked = False  # the form (re)started: nothing asked in it yet
        elif event.get("event") == "bot":
            said = (event.get("metadata") or {}).get("utter_action")
            asked = asked or said in PRODUCT_QUESTIONS
    return asked


class ActionAskProduct(Action):
    """The review form's product question: which of two products, not found, or which."""

    def name(self) -> str:
        return "action_ask_product"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        choices = list(tracker.get_slot("product_choices") or [])
        if choices:
            dispatcher.utter_message(
                response="utter_ask_product_choice",
                choices=" ou ".join(choices),
                buttons=[{"title": name, "payload": name} for name in choices],
            )
        elif tracker.get_slot("product_not_found"):
            dispatcher.utter_message(response="utter_product_not_found")
        elif product_already_asked(tracker):
            # The answer was the rating or the review, kept: no second welcome.
            dispatcher.utter_message(response="utter_ask_product_again")
        else:
            dispatcher.utter_message(response="utter_ask_product")
        return [SlotSet(slot, None) for slot in PRODUCT_QUESTION]


class ActionSaveReview(Action):
    """Save the review and answer according to the rating and the consumer's history."""

    def name(self) -> str:
        return "action_save_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        rating = int(tracker.get_slot("rating") or 0)
        text = tracker.get_slot("review_text") or ""
        product = tracker.get_slot("product") or None
        product_id = tracker.get_slot("product_id") if product else None
        reset = [SlotSet(s, None) for s in (*REVIEW_STEPS, "product_id")]
        try:
            thanks = await in_thread(
                services().reviews.save_review,
                identity(tracker),
                rating,
                text,
                product,
                review_event_key(message_id(tracker)),
                product_id,
            )
        except (StorageError, ValueError):
            dispatcher.utter_message(response="utter_save_failed")
            return reset + [SlotSet("review_band", None), SlotSet("pending_offer", None)]
        say(dispatcher, thanks.reply)
        offer = "human_followup" if thanks.band == "low" else None
        return reset + [SlotSet("review_band", thanks.band), SlotSet("pending_offer", offer)]


class ValidateImprovementForm(Action):
    """Record what would have made a 3 or 4 star review a 5."""

    def name(self) -> str:
        return "validate_improvement_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("requested_slot"):
            return [SlotSet("improvement", None), SlotSet("requested_slot", "improvement")]
        if not user_just_spoke(tracker):
            return [SlotSet("requested_slot", "improvement")]
        if is_interruption(tracker):
            return []
        if latest_intent(tracker) == "skip_field":
            dispatcher.utter_message(response="utter_ok_later")
            return [SlotSet("improvement", None), SlotSet("requested_slot", None)]
        text = _review_text(latest_text(tracker))
        if text is None:
            dispatcher.utter_message(response="utter_invalid_review_text")
            return [SlotSet("improvement", None), SlotSet("requested_slot", "improvement")]
        try:
            recorded = await in_thread(
                services().reviews.add_review_improvement, identity(tracker), text
            )
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return [SlotSet("improvement", None), SlotSet("requested_slot", "improvement")]
        if not recorded:
            dispatcher.utter_message(response="utter_no_review_found")
            return [SlotSet("improvement", None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_improvement_thanks")
        return [SlotSet("improvement", None), SlotSet("requested_slot", None)]


class ActionRequestFollowup(Action):
    """A disappointed consumer accepts a call back from a person."""

    def name(self) -> str:
        return "action_request_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            recorded = await in_thread(services().reviews.request_followup, identity(tracker))
        except StorageError:
            # The offer stays open: "oui" again retries.
            dispatcher.utter_message(response="utter_save_failed")
            return []
        if not recorded:
            dispatcher.utter_message(response="utter_no_review_found")
            return [SlotSet("pending_offer", None)]
        dispatcher.utter_message(response="utter_followup_confirmed")
        return [SlotSet("pending_offer", None)]


class ActionDeclineOffer(Action):
    """The consumer says no (or later) to what Merci just offered."""

    def name(self) -> str:
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("pending_offer") == "human_followup":
            dispatcher.utter_message(response="utter_followup_declined")
        else:
            dispatcher.utter_message(response="utter_ok_later")
        return [SlotSet("pending_offer", None)]
