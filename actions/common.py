"""Helpers shared by the actions: who is talking, and how to say a reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import get_settings
from bot.domain.validation import is_stop_phrase
from bot.domain.wording import Reply
from bot.services import Identity, Services, get_services

T = TypeVar("T")


def identity(tracker: Tracker) -> Identity:
    return Identity(
        channel=tracker.get_latest_input_channel() or "rest", sender_id=tracker.sender_id
    )


def message_id(tracker: Tracker) -> str:
    """Id of the consumer's latest message: the idempotence key of what it triggers."""
    return str(tracker.latest_message.get("message_id") or f"event-{len(tracker.events)}")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


# Messages that interrupt a form when NLU is sure of them, or when they are
# plainly a request to stop ("plus tard"); anything else is taken as the answer.
INTERRUPTIONS = frozenset(
    {"stop", "goodbye", "bot_challenge", "ask_help", "thank", "request_human"}
    # A privacy request is never an answer to a form question: it is handled at once.
    | {"ask_my_data", "erase_my_data", "withdraw_contact"}
)
CONFIDENT = 0.8


def user_just_spoke(tracker: Tracker) -> bool:
    """True when the form runs right after the consumer's message (not after a detour)."""
    form = tracker.active_loop_name
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen"):
            return False
    return False


def is_confident(tracker: Tracker) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    return float(intent.get("confidence") or 0) >= CONFIDENT


def is_interruption(tracker: Tracker) -> bool:
    """The message is not an answer but a request a rule handles ("stop", "tu es un robot ?").

    A validation action returns no event for it: Rasa then rejects the form and the
    matching rule answers, after which the form asks its question again. A button or
    sticker payload such as "/thank" is never an answer either (but "/skip_field" is a skip).
    """
    intent = latest_intent(tracker)
    text = latest_text(tracker).strip()
    if text.startswith("/") and intent != "skip_field":
        return True
    if intent not in INTERRUPTIONS:
        return False
    return is_confident(tracker) or is_stop_phrase(text)


def say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=[dict(b) for b in reply.buttons] or None)


def ask_data_consent(dispatcher: CollectingDispatcher) -> None:
    """The consent question, with the link to the brand's privacy notice."""
    dispatcher.utter_message(
        response="utter_ask_data_consent", privacy_url=get_settings().privacy_url
    )


def deliver(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    """Say messages that were queued while the consumer was away."""
    for message in messages:
        dispatcher.utter_message(
            text=message.get("text"),
            buttons=message.get("buttons") or None,
            image=message.get("image"),
        )


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    """Run blocking database work off the action server's event loop."""
    return await asyncio.to_thread(work, *args)


def services() -> Services:
    return get_services()
