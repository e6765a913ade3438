"""Rasa's RemoteAction, answered by rasa_sdk's executor in the same process
(MERCI_ACTIONS=in-process): the same events, refusals and errors as over HTTP."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

from bot.channels.in_process_actions import InProcessActionEndpoint

DOMAIN_YAML = """
version: "3.1"
intents: [give_name]
slots:
  first_name: {type: text, mappings: [{type: custom}]}
actions: [action_remember_name, action_refuse]
"""


class RememberName(Action):
    def name(self) -> str:
        return "action_remember_name"

    async def run(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        name = tracker.latest_message["text"].split()[-1]
        dispatcher.utter_message(text=f"Merci {name}\u202f!")
        return [{"event": "slot", "name": "first_name", "value": name}]


class Refuse(Action):
    def name(self) -> str:
        return "action_refuse"

    async def run(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        raise SdkRejection("action_refuse", "not this time")


def run(action_name: str, endpoint: EndpointConfig | None) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        domain = Domain.from_yaml(DOMAIN_YAML)
    executor = ActionExecutor()
    executor.register_action(RememberName)
    executor.register_action(Refuse)
    action = RemoteAction(action_name, InProcessActionEndpoint(endpoint, executor))
    tracker = DialogueStateTracker.from_events(
        "lea", [UserUttered("je m'appelle Léa", {"name": "give_name"})], domain.slots
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, domain))


def test_an_action_answers_in_process_with_rasas_events_and_messages():
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", timeout=2)  # nothing listens there
    events = run("action_remember_name", endpoint)
    assert SlotSet("first_name", "Léa") in events
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["Merci Léa\u202f!"]


def test_the_endpoints_settings_are_kept():
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", timeout=2, enable_selective_domain=True)
    in_process = InProcessActionEndpoint(endpoint, ActionExecutor())
    assert in_process.kwargs == {"timeout": 2, "enable_selective_domain": True}


def test_a_refusal_reaches_rasa_as_a_refusal_as_over_http():
    with pytest.raises(ActionExecutionRejection):
        run("action_refuse", None)


def test_an_unknown_action_fails_as_it_would_over_http():
    with pytest.raises(RasaException, match="Failed to execute custom action"):
        run("action_nobody_wrote", None)
