"""Helpers shared by the actions: who is talking, and how to say a reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services import Identity, MerciService, get_service
from bot.wording import Reply

T = TypeVar("T")


def identity(tracker: Tracker) -> Identity:
    return Identity(channel=tracker.get_latest_input_channel() or "rest", sender_id=tracker.sender_id)


def message_id(tracker: Tracker) -> str:
    """Id of the consumer's latest message: the idempotence key of what it triggers."""
    return str(tracker.latest_message.get("message_id") or f"event-{len(tracker.events)}")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def answer_missing(tracker: Tracker) -> bool:
    """The consumer just spoke during a form, but nothing fills the question asked.

    The validation action must then return no event, so that Rasa rejects the form
    and a rule handles the message instead ("plus tard", "tu es un robot ?"). When
    another action ran since the message (the form resumes after an interruption),
    the question is simply asked again.
    """
    step = tracker.get_slot("requested_slot")
    if not step or step in tracker.slots_to_validate():
        return False
    form = tracker.active_loop_name
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen"):
            return False
    return False


def say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=[dict(b) for b in reply.buttons] or None)


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    """Run blocking database work off the action server's event loop."""
    return await asyncio.to_thread(work, *args)


def service() -> MerciService:
    return get_service()
