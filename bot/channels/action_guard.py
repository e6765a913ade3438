"""An apology instead of silence when the action server is down or too slow.

Rasa 3.6 waits up to five minutes for an action (``RemoteAction.run`` passes
``DEFAULT_REQUEST_TIMEOUT`` on every call and ignores any timeout in ``endpoints.yml``),
longer than the conversation lock lives; when the call fails, the processor logs it and
goes on without a word to the consumer. Rasa offers no hook for either, so the Rasa server
Merci starts (``python -m bot.channels.rasa_server``) wraps ``RemoteAction.run``: the call
is cut after ``action_endpoint.timeout`` seconds and, on failure, the consumer is told
``utter_action_failed`` (once per message) before Rasa drops the action's events as usual,
so a form in progress simply asks again once the action server is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.domain.typed_intents import MERCI_INTENT_PREFIX

logger = logging.getLogger(__name__)

ACTION_FAILED = "utter_action_failed"
# Below the 3 s a consumer may wait, and far below Rasa's 60 s conversation lock.
DEFAULT_TIMEOUT = 2.0
# The message each sender was last apologised for: one apology per message at most.
_apologised: dict[str, str | None] = {}

Run = Callable[[RemoteAction, Any, Any, Any, Any], Awaitable[list[Any]]]


def action_timeout(endpoint: EndpointConfig | None) -> float:
    """``action_endpoint.timeout`` from ``endpoints.yml``, in seconds."""
    value = endpoint.kwargs.get("timeout") if endpoint is not None else None
    return float(value) if value else DEFAULT_TIMEOUT


async def apologise(output_channel: Any, nlg: Any, tracker: Any) -> None:
    """Say ``utter_action_failed`` to the consumer, unless already said for this message."""
    latest = tracker.latest_message
    intent = (latest.intent or {}).get("name") if latest is not None else None
    if str(intent or "").startswith(MERCI_INTENT_PREFIX):
        # Merci's own trigger (brand event, nudge), not a request from the consumer: an
        # apology would be pushed or queued as if it were the congratulation.
        return
    turn = latest.message_id if latest is not None else None
    if turn is not None and _apologised.get(tracker.sender_id) == turn:
        return
    if len(_apologised) > 10_000:
        _apologised.clear()
    _apologised[tracker.sender_id] = turn
    message = await nlg.generate(ACTION_FAILED, tracker, output_channel.name())
    if message:
        await output_channel.send_response(tracker.sender_id, message)


def guarded(original: Run) -> Run:
    async def run(
        action: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Any]:
        timeout = action_timeout(action.action_endpoint)
        try:
            call = original(action, output_channel, nlg, tracker, domain)
            return await asyncio.wait_for(call, timeout)
        except ActionExecutionRejection:
            raise  # a form's validation said no: Rasa's business, not a failure
        except (RasaException, asyncio.TimeoutError, aiohttp.ClientError) as error:
            logger.warning("action %s failed (%s)", action.name(), type(error).__name__)
            await apologise(output_channel, nlg, tracker)
            raise RasaException(f"Failed to execute custom action '{action.name()}'") from error

    run.merci_guarded = True  # type: ignore[attr-defined]
    return run


def install() -> None:
    """Wrap ``RemoteAction.run`` in this process (once)."""
    if not getattr(RemoteAction.run, "merci_guarded", False):
        RemoteAction.run = guarded(RemoteAction.run)
