"""A slow action is cut at action_endpoint.timeout and the consumer gets one apology."""

from __future__ import annotations

import asyncio
import time
import warnings

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.channels.action_guard import guarded
from bot.config import PROJECT_ROOT

APOLOGY = "Désolé, je n'arrive pas à traiter votre demande pour le moment."


async def too_slow(*_: object) -> list:
    await asyncio.sleep(30)
    return []


def test_a_slow_action_is_cut_and_apologised_for_once_per_message():
    with warnings.catch_warnings():
        # Rasa warns about slot auto-fill (removed in 3.0) on every domain it loads.
        warnings.simplefilter("ignore", UserWarning)
        domain = Domain.load(PROJECT_ROOT / "domain.yml")
    tracker = DialogueStateTracker.from_events("e2e-slow", [UserUttered("Marie", message_id="1")])
    output = CollectingOutputChannel()
    action = RemoteAction("validate_profile_form", EndpointConfig("http://x", timeout=0.2))
    run = guarded(too_slow)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    async def twice() -> None:
        for _ in range(2):
            with pytest.raises(RasaException):
                await run(action, output, nlg, tracker, domain)

    started = time.monotonic()
    asyncio.run(twice())
    assert time.monotonic() - started < 2
    assert [m["text"] for m in output.messages if APOLOGY in m.get("text", "")] == [
        output.messages[0]["text"]
    ]


def test_a_failed_action_after_merci_s_own_trigger_says_no_apology():
    """A brand event or a nudge (EXTERNAL_ intents) is not a consumer's request: an apology
    would be pushed, or queued, as if it were the congratulation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        domain = Domain.load(PROJECT_ROOT / "domain.yml")
    triggered = UserUttered(
        intent={"name": "EXTERNAL_review_published", "confidence": 1.0}, message_id=None
    )
    tracker = DialogueStateTracker.from_events("e2e-trigger", [triggered])
    output = CollectingOutputChannel()
    action = RemoteAction(
        "action_congratulate_brand_event", EndpointConfig("http://x", timeout=0.2)
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    with pytest.raises(RasaException):
        asyncio.run(guarded(too_slow)(action, output, nlg, tracker, domain))
    assert output.messages == []
