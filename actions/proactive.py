"""Session start and proactive congratulations (brand events, nudges)."""

from __future__ import annotations

import contextlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deliver, identity, in_thread, say, services
from bot.services import StorageError

# Slots that describe the conversation in progress: a new conversation starts without them.
CONVERSATION_SLOTS = {
    "requested_slot",
    "pending_offer",
    "skipped_fields",
    "review_band",
    "freshness_field",
    "new_value",
    "improvement",
}


class ActionSessionStart(Action):
    """Start a conversation: keep the profile slots, and say what was queued meanwhile."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # On a database error, queued messages stay queued; the conversation starts anyway.
        with contextlib.suppress(StorageError):
            deliver(
                dispatcher,
                await in_thread(services().conversation.start_conversation, identity(tracker)),
            )
        carried = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if value is not None and name not in CONVERSATION_SLOTS
        ]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]


class ActionCongratulateBrandEvent(Action):
    """Say the congratulation chosen when the brand's event was applied."""

    def name(self) -> str:
        return "action_congratulate_brand_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        event_id = next(tracker.get_latest_entity_values("event_id"), None)
        if event_id is None:
            return []
        reply = await in_thread(
            services().brand_events.brand_event_thanks, identity(tracker), str(event_id)
        )
        if reply is not None:
            say(dispatcher, reply)
        return []
