"""Keeping data current: confirm a stored value, or correct it."""

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
from actions.profile import invalid_response, progress_events, save_and_thank
from bot.domain.validation import PARSERS, InvalidValue
from bot.services import StorageError

DONE = [SlotSet("pending_offer", None), SlotSet("freshness_field", None)]


class ActionConfirmField(Action):
    """ "Oui, c'est toujours bon": record the confirmation of the value asked about, thank."""

    def name(self) -> str:
        return "action_confirm_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = tracker.get_slot("freshness_field")
        try:
            thanks = await in_thread(
                services().freshness.confirm_profile,
                identity(tracker),
                f"confirm:{step}:{message_id(tracker)}",
                step,
            )
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return []  # the question stays open: "oui" again retries
        if thanks is None:  # the value was erased meanwhile
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return DONE
        say(dispatcher, thanks.reply)
        return DONE


class ValidateUpdateFieldForm(Action):
    """The consumer said the stored value changed: validate the new one as the profile form
    does, save it, thank."""

    def name(self) -> str:
        return "validate_update_field_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = tracker.get_slot("freshness_field")
        if not tracker.get_slot("requested_slot") or not user_just_spoke(tracker) or not step:
            return [SlotSet("new_value", None), SlotSet("requested_slot", "new_value")]
        if is_interruption(tracker):
            return []
        if latest_intent(tracker) == "skip_field":
            dispatcher.utter_message(response="utter_ok_later")
            return [*DONE, SlotSet("requested_slot", None)]
        try:
            parsed = PARSERS[step](latest_text(tracker))
        except InvalidValue as error:
            dispatcher.utter_message(response=invalid_response(error))
            return [SlotSet("new_value", None), SlotSet("requested_slot", "new_value")]
        thanks = await save_and_thank(dispatcher, tracker, step, parsed)
        if thanks is None:
            return [SlotSet("new_value", None), SlotSet("requested_slot", "new_value")]
        return [
            *DONE,
            *[SlotSet(k, v) for k, v in parsed.values.items()],
            *progress_events(thanks.filled),
            SlotSet("new_value", parsed.values[next(iter(parsed.values))]),
            SlotSet("requested_slot", None),
        ]
