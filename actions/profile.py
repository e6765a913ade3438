"""Profile completion: the form's validation, values given outside it, confirmations."""

from __future__ import annotations

import contextlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ask_data_consent,
    deliver,
    identity,
    in_thread,
    is_confident,
    is_interruption,
    latest_intent,
    latest_text,
    message_id,
    say,
    services,
    user_just_spoke,
)
from bot.config import get_settings
from bot.domain.profile import completeness, missing_steps
from bot.domain.profile_answers import values_in
from bot.domain.validation import InvalidValue, Parsed
from bot.services import StorageError
from bot.services.profile import ConsentRefused, Thanks, field_event_key

# The form's first question when the consumer has not accepted that Merci keeps their
# data: utter_ask_data_consent (with a link to MERCI_PRIVACY_URL, buttons Oui / Non).
CONSENT_STEP = "data_consent"

# Intents that give a value outside the form, and the form step they fill.
INTENT_STEPS = {
    "give_first_name": "first_name",
    "give_email": "email",
    "give_phone": "phone",
    "give_birthday": "birthday",
    "give_city": "city",
    "give_interests": "interests",
    "give_contact_channel": "contact_channel",
}


def invalid_response(error: InvalidValue) -> str:
    if error.reason == "implausible_age":
        return "utter_invalid_birthday_age"
    return f"utter_invalid_{error.field}"


def value_events(given: dict[str, Parsed]) -> list[EventType]:
    return [SlotSet(k, v) for parsed in given.values() for k, v in parsed.values.items()]


def progress_events(filled: set[str] | frozenset[str]) -> list[EventType]:
    percent = completeness(filled)
    return [SlotSet("completeness", str(percent)), SlotSet("profile_complete", percent == 100)]


async def save_and_thank(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    step: str,
    parsed: Parsed,
    with_consent: bool = False,
) -> Thanks | None:
    """Save one answer and say the thank-you; on a storage failure, say so honestly.
    ``with_consent``: the consumer has just said yes to keeping it (stored together)."""
    return await save_all_and_thank(dispatcher, tracker, {step: parsed}, with_consent)


async def save_all_and_thank(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    steps: dict[str, Parsed],
    with_consent: bool = False,
) -> Thanks | None:
    """Save every value one message gave, and thank once for all of them."""
    try:
        thanks = await in_thread(
            services().profile.save_profile_steps,
            identity(tracker),
            steps,
            field_event_key("+".join(steps), message_id(tracker)),
            "chat",
            with_consent,
        )
    except StorageError:
        dispatcher.utter_message(response="utter_save_failed")
        return None
    except ConsentRefused:
        dispatcher.utter_message(response="utter_consent_refused")
        return None
    say(dispatcher, thanks.reply)
    return thanks


async def consent_given(tracker: Tracker) -> bool:
    """Whether the consumer accepted that Merci keeps their personal data."""
    return await in_thread(services().privacy.consent_state, identity(tracker)) is True


async def consent_missing(
    dispatcher: CollectingDispatcher, tracker: Tracker, step: str | None
) -> list[EventType] | None:
    """In the form: None when consent was given; else the events that ask for it. When the
    database cannot say, nothing is saved and the same question is asked again, as after
    any answer that could not be stored."""
    try:
        if await consent_given(tracker):
            return None
    except StorageError:
        if not step or not user_just_spoke(tracker) or is_interruption(tracker):
            raise
        dispatcher.utter_message(response="utter_save_failed")
        return [SlotSet(step, None), SlotSet("requested_slot", step)]
    return ask_consent()


def ask_consent() -> list[EventType]:
    """Make the consent question the form's next one."""
    return [
        SlotSet("privacy_url", get_settings().privacy_url),
        SlotSet("requested_slot", CONSENT_STEP),
    ]


async def consent_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """The answer to the consent question in the form: None when granted (the form goes
    on), else the events that ask again or stop the form politely."""
    intent = latest_intent(tracker)
    if intent not in ("affirm", "deny"):
        return ask_consent()
    granted = intent == "affirm"
    await in_thread(services().privacy.record_consent, identity(tracker), "personal_data", granted)
    if granted:
        return None
    dispatcher.utter_message(response="utter_consent_refused")
    # Neither variant of utter_profile_form_done matches: nothing more is said.
    return [SlotSet("profile_complete", None), SlotSet("requested_slot", None)]


class ValidateProfileForm(Action):
    """Validate and save the answer to the current question, then pick the next one.

    Each answer is saved as soon as it is valid, so nothing is lost if the consumer
    stops halfway; only fields still missing in the database are asked.
    """

    def name(self) -> str:
        return "validate_profile_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        svc, who = services(), identity(tracker)
        step = tracker.get_slot("requested_slot")
        skipped = list(tracker.get_slot("skipped_fields") or [])
        events: list[EventType] = [SlotSet("pending_offer", None)]
        try:
            if step == CONSENT_STEP and user_just_spoke(tracker):
                if is_interruption(tracker):
                    return []
                refused = await consent_answer(dispatcher, tracker)
                if refused is not None:
                    return events + refused
                step = None
            elif (missing := await consent_missing(dispatcher, tracker, step)) is not None:
                return events + missing
            if step and user_just_spoke(tracker):
                answer = await self._answer(dispatcher, tracker, step, skipped)
                if answer is None:  # an interruption: let Rasa reject the form
                    return []
                filled, answer_events = answer
                events += answer_events
                if filled is None:  # invalid or not saved: ask the same question again
                    return events + [SlotSet(step, None), SlotSet("requested_slot", step)]
            else:
                filled = set((await in_thread(svc.profile.profile_state, who)).values)
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            # Neither variant of utter_profile_form_done matches: no thanks after a failure.
            return events + [SlotSet("profile_complete", None), SlotSet("requested_slot", None)]
        remaining = missing_steps(filled, skipped)
        return (
            events
            + progress_events(filled)
            + [
                SlotSet("skipped_fields", skipped),
                SlotSet("requested_slot", remaining[0] if remaining else None),
            ]
        )

    async def _answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, step: str, skipped: list[str]
    ) -> tuple[set[str] | None, list[EventType]] | None:
        """Save a valid answer; None when the message is an interruption, not an answer."""
        svc, who = services(), identity(tracker)
        if is_interruption(tracker):
            return None
        try:
            given = values_in(latest_text(tracker), step)
        except InvalidValue as error:
            given, invalid = {}, error
        if latest_intent(tracker) == "skip_field" and (not given or is_confident(tracker)):
            skipped.append(step)
            dispatcher.utter_message(response="utter_field_skipped")
            state = await in_thread(svc.profile.profile_state, who)
            return set(state.values), [SlotSet(step, None)]
        if not given:
            dispatcher.utter_message(response=invalid_response(invalid))
            return None, []
        thanks = await save_all_and_thank(dispatcher, tracker, given)
        if thanks is None:
            return None, []
        return set(thanks.filled), value_events(given)


class ActionSaveProfileValue(Action):
    """A value given outside the form ("mon e-mail est ..."): validate, save, thank."""

    def name(self) -> str:
        return "action_save_profile_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = INTENT_STEPS.get(latest_intent(tracker) or "")
        if step is None:
            dispatcher.utter_message(response="utter_default")
            return []
        try:
            given = values_in(latest_text(tracker), step)
        except InvalidValue as error:
            dispatcher.utter_message(response=invalid_response(error))
            return []
        try:
            consented = await consent_given(tracker)
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return []
        if not consented:
            ask_data_consent(dispatcher)
            return [
                SlotSet("pending_offer", "data_consent"),
                SlotSet("consent_pending_step", step),
                SlotSet("consent_pending_text", latest_text(tracker)),
            ]
        thanks = await save_all_and_thank(dispatcher, tracker, given)
        if thanks is None:
            return []
        return value_events(given) + progress_events(thanks.filled)


class ActionConfirmProfile(Action):
    """The consumer says their data is still right: record the confirmation and thank."""

    def name(self) -> str:
        return "action_confirm_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        svc, who = services(), identity(tracker)
        try:
            thanks = await in_thread(
                svc.freshness.confirm_profile, who, f"confirm:{message_id(tracker)}"
            )
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return []
        if thanks is None:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return []
        say(dispatcher, thanks.reply)
        return []


class ActionPauseProfile(Action):
    """ "Plus tard" during the form: remember where we stopped, to resume next time."""

    def name(self) -> str:
        return "action_pause_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Pausing is a convenience: on a database error the form still stops, it just won't
        # offer to resume.
        with contextlib.suppress(StorageError):
            await in_thread(
                services().profile.pause_profile,
                identity(tracker),
                tracker.get_slot("requested_slot"),
            )
        dispatcher.utter_message(response="utter_profile_paused")
        return [SlotSet("skipped_fields", None)]


class ActionGreetConsumer(Action):
    """Greet by first name when known; say what was queued; then ask about one stale value,
    or offer to resume or complete the profile."""

    def name(self) -> str:
        return "action_greet_consumer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        svc = services()
        try:
            greeting = await in_thread(svc.conversation.greet, identity(tracker))
        except StorageError:
            dispatcher.utter_message(
                response="utter_greet_new", brand_name=get_settings().brand_name
            )
            return [SlotSet("pending_offer", None)]
        deliver(dispatcher, greeting.queued)
        state = greeting.state
        values = {
            "first_name": state.first_name,
            "completeness": str(state.completeness),
            "brand_name": get_settings().brand_name,
        }
        offer, events = None, [SlotSet("skipped_fields", None)]
        if greeting.stale is not None:
            response, offer = f"utter_ask_still_right_{greeting.stale.step}", "confirm_field"
            values["value"] = greeting.stale.value
            events.append(SlotSet("freshness_field", greeting.stale.step))
        elif not state.values:
            response = "utter_greet_new"
        elif state.paused_at and state.missing_steps():
            response, offer = "utter_offer_resume_profile", "resume_profile"
            values["field_label"] = svc.context.label(state.paused_at)
        elif state.missing_steps():
            response, offer = "utter_offer_profile", "complete_profile"
        else:
            response = "utter_greet_known"
        say(dispatcher, svc.context.render(response, values))
        return [SlotSet("pending_offer", offer), *events]
