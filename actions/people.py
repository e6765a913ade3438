"""A person can always be reached: the brand's contact channel, or a live-agent hand-off."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import services
from bot.config import get_settings
from bot.domain.handoff import HANDOFF_SLOT, contact_values, handoff_tag


class ActionOfferHuman(Action):
    """Say what Merci can do and how to reach a person; hand the conversation off when the
    brand's inbox takes live conversations (MERCI_HANDOFF)."""

    def name(self) -> str:
        return "action_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        values = contact_values(
            settings.contact_url, settings.contact_phone, settings.contact_hours
        )
        if not settings.handoff_enabled:
            reply = services().context.render("utter_human_contact", values)
            dispatcher.utter_message(text=reply.text)
            return []
        reply = services().context.render("utter_handoff", values)
        # The tag travels in the bot message's metadata, in the tracker: the inbox reads it.
        dispatcher.utter_message(text=reply.text, handoff=handoff_tag(tracker.sender_id))
        return [SlotSet(HANDOFF_SLOT, True)]
