"""Privacy: consent, "what do you hold on me?", erasure, and no more marketing contact."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import identity, in_thread, latest_intent, services
from actions.profile import INTENT_STEPS, progress_events, save_all_and_thank, value_events
from bot.domain.privacy import ERASURE_MARKER, PERSONAL_DATA
from bot.domain.profile import FORM_STEPS
from bot.domain.profile_answers import values_in
from bot.domain.typography import frenchify
from bot.domain.validation import InvalidValue
from bot.services import StorageError
from bot.services.privacy import DataSummary

# The slots that may hold a personal value, reset when the data is erased.
PERSONAL_SLOTS = (*(f for fields in FORM_STEPS.values() for f in fields), "consent_pending_text")
PURPOSE_LABELS = {
    "personal_data": "conserver vos informations",
    "marketing_contact": "être contacté",
}


def _date(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y")


def describe(summary: DataSummary, label: Any) -> str:
    """One line per stored value, then the reviews and the consents (French typography)."""
    step_of = {f: step for step, fields in FORM_STEPS.items() for f in fields}
    lines = []
    for name, value, updated_at in summary.fields:
        what = label(step_of.get(name, name))
        if name == "postal_code":
            what = "votre code postal"
        lines.append(f"• {what} : {value} (le {_date(updated_at)})")
    if summary.review_count:
        lines.append(f"• {summary.review_count} avis")
    for purpose, granted, given_at in summary.consents:
        answer = "accepté" if granted else "refusé"
        lines.append(f"• {PURPOSE_LABELS.get(purpose, purpose)} : {answer} le {_date(given_at)}")
    return "\n".join(frenchify(line) for line in lines)


class ActionShowMyData(Action):
    """ "Quelles données avez-vous sur moi ?": what is stored, only to its owner."""

    def name(self) -> str:
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        svc = services()
        try:
            summary = await in_thread(svc.privacy.my_data, identity(tracker))
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return []
        suffix = "" if summary.proven else "_session"
        if summary.empty:
            dispatcher.utter_message(response=f"utter_no_personal_data{suffix}")
            return []
        details = describe(summary, svc.context.label)
        dispatcher.utter_message(response=f"utter_my_data{suffix}", details=details)
        return []


class ActionOfferErasure(Action):
    """ "Supprimez mes données": ask for confirmation first (buttons)."""

    def name(self) -> str:
        return "action_offer_erasure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_confirm_erasure")
        events: list[EventType] = [SlotSet("pending_offer", "erase_data")]
        if tracker.active_loop_name:
            # Asked in the middle of a form: the form stops, so that "oui" confirms the
            # erasure instead of answering the form's question.
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events


class ActionEraseMyData(Action):
    """After the confirmation: erase everything, and mark the conversation so that the
    tracker store forgets it too; after a no, erase nothing."""

    def name(self) -> str:
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if latest_intent(tracker) != "affirm":
            dispatcher.utter_message(response="utter_erasure_cancelled")
            return [SlotSet("pending_offer", None)]
        try:
            erased = await in_thread(services().privacy.erase, identity(tracker))
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return [SlotSet("pending_offer", None)]
        response = "utter_data_erased" if erased.identities else "utter_nothing_to_erase"
        dispatcher.utter_message(response=response)
        resets = [SlotSet(slot, None) for slot in PERSONAL_SLOTS]
        return [SlotSet("pending_offer", None), *resets, SlotSet(ERASURE_MARKER, "erased")]


class ActionWithdrawContact(Action):
    """ "Ne me contactez plus": no more marketing contact, pending reminders cancelled."""

    def name(self) -> str:
        return "action_withdraw_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            await in_thread(services().privacy.withdraw_contact, identity(tracker))
        except StorageError:
            dispatcher.utter_message(response="utter_save_failed")
            return []
        dispatcher.utter_message(response="utter_contact_withdrawn")
        return []


class ActionRecordConsent(Action):
    """The answer to the consent question asked outside the profile form: record it, then
    save the value that was waiting for it (or nothing, after a no)."""

    def name(self) -> str:
        return "action_record_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        granted = latest_intent(tracker) == "affirm"
        step = tracker.get_slot("consent_pending_step")
        text = tracker.get_slot("consent_pending_text") or ""
        events: list[EventType] = [
            SlotSet("pending_offer", None),
            SlotSet("consent_pending_step", None),
            SlotSet("consent_pending_text", None),
        ]
        given = {}
        if granted and step in INTENT_STEPS.values():
            with contextlib.suppress(InvalidValue):
                given = values_in(text, step)
        if given:
            # The yes and the values it was asked for are stored together, or not at all.
            thanks = await save_all_and_thank(dispatcher, tracker, given, with_consent=True)
            if thanks is None:
                return events
        else:
            try:
                await in_thread(
                    services().privacy.record_consent, identity(tracker), PERSONAL_DATA, granted
                )
            except StorageError:
                dispatcher.utter_message(response="utter_save_failed")
                return events
            response = "utter_consent_thanks" if granted else "utter_consent_refused"
            dispatcher.utter_message(response=response)
            return events
        return events + value_events(given) + progress_events(thanks.filled)
