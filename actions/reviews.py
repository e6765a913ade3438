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
from bot.domain.validation import InvalidValue, parse_rating
from bot.services import StorageError
from bot.services.reviews import review_event_key

REVIEW_STEPS = ("product", "rating", "review_text")
MAX_TEXT = 2000


def _product(text: str, intent: str | None) -> str | None:
    """The product named, "" when the consumer skips, None when unusable."""
    if intent == "skip_field":
        return ""
    product = " ".join(text.split())
    return product if 2 <= len(product) <= 255 else None


def _review_text(text: str) -> str | None:
    body = text.strip()
    return body if 2 <= len(body) <= MAX_TEXT else None


class ValidateReviewForm(Action):
    """Check the product, the rating (1 to 5) and the text, one question at a time."""

    def name(self) -> str:
        return "validate_review_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = tracker.get_slot("requested_slot")
        if not step:
            # Activation: start a fresh review, whatever an earlier one left in the slots.
            return [SlotSet(s, None) for s in REVIEW_STEPS] + [
                SlotSet("pending_offer", None),
                SlotSet("requested_slot", REVIEW_STEPS[0]),
            ]
        if not user_just_spoke(tracker):
            # Back from an interruption ("tu es un robot ?"): ask the same question again.
            return [SlotSet("requested_slot", step)]
        if is_interruption(tracker):
            return []
        text = latest_text(tracker)
        value: int | str | None = None
        if step == "rating":
            entity = next(tracker.get_latest_entity_values("rating"), None)
            try:
                value = parse_rating(str(entity) if entity is not None else text)
            except InvalidValue:
                value = None
        elif step == "product":
            value = _product(text, latest_intent(tracker))
        elif step == "review_text":
            value = _review_text(text)
        if value is None:
            dispatcher.utter_message(response=f"utter_invalid_{step}")
            return [SlotSet(step, None), SlotSet("requested_slot", step)]
        following = REVIEW_STEPS.index(step) + 1
        next_step = REVIEW_STEPS[following] if following < len(REVIEW_STEPS) else None
        return [SlotSet(step, value), SlotSet("requested_slot", next_step)]


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
        reset = [SlotSet(s, None) for s in REVIEW_STEPS]
        try:
            thanks = await in_thread(
                services().reviews.save_review,
                identity(tracker),
                rating,
                text,
                product,
                review_event_key(message_id(tracker)),
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
