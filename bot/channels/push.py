"""Proactive delivery: channels that can reach a consumer who is not talking right now.

A channel registers a pusher when it can send without a pending request (a socket open
in the widget, Messenger within its 24-hour window). Consumers on other channels (REST)
get their proactive messages queued and delivered at the start of their next visit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel

from bot.services import Identity
from bot.services.delivery import DeliveryService, plain_message

Pusher = Callable[[str, list[dict[str, Any]]], Awaitable[bool]]
_PUSHERS: dict[str, Pusher] = {}


def register_pusher(channel: str, pusher: Pusher) -> None:
    _PUSHERS[channel] = pusher


async def push(channel: str, sender_id: str, messages: list[dict[str, Any]]) -> bool:
    pusher = _PUSHERS.get(channel)
    return bool(pusher and await pusher(sender_id, messages))


async def trigger_proactive(
    agent: Agent,
    delivery: DeliveryService,
    consumer: Identity,
    intent: str,
    entities: list[dict[str, Any]],
    source_key: str,
    aside: Callable[[], list[dict[str, Any]]] | None = None,
) -> str:
    """Run ``intent`` in the consumer's conversation through Rasa's own machinery, then push
    what the bot says, or queue it for the next visit. Returns "delivered", "queued" or
    "already" (this ``source_key`` was handled before: nothing is said twice).

    While a form waits for the consumer's answer, the intent is not run: the form would take
    it for that answer. The messages ``aside`` gives are pushed or queued instead, and the
    form goes on undisturbed."""
    async with agent.lock_store.lock(consumer.sender_id):
        if await asyncio.to_thread(delivery.was_delivered, source_key):
            return "already"
        output = CollectingOutputChannel()
        tracker = await agent.processor.fetch_tracker_and_update_session(consumer.sender_id, output)
        if tracker.active_loop_name and aside is not None:
            messages = await asyncio.to_thread(aside)
        else:
            await agent.trigger_intent(intent, entities, output, tracker)
            messages = [plain_message(m) for m in output.messages]
        delivered = await push(consumer.channel, consumer.sender_id, messages)
        await asyncio.to_thread(delivery.record_delivery, consumer, source_key, messages, delivered)
    return "delivered" if delivered else "queued"
