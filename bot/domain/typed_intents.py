"""What a consumer may type as an intent (``/intent{"entity": "value"}``).

Rasa turns a message that starts with ``/`` into that intent and those entities, on every
channel. Merci's buttons rely on it (``/update_profile``, ``/leave_review``...), but Merci's
own triggers must never come from a consumer: ``EXTERNAL_`` intents arrive only through
Rasa's ``trigger_intent`` API (brand events, nudges), and an ``event_id`` only with them.
Every input channel hands the consumer's text through :func:`screen_typed` first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

INTENT_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
MERCI_INTENT_PREFIX = "EXTERNAL_"
# Entities a consumer may give with a typed intent; any other (event_id...) is Merci's own.
CONSUMER_ENTITIES = frozenset({"rating"})


@dataclass(frozen=True)
class Screened:
    """The text to hand to Rasa, and why a typed intent was refused (None: accepted)."""

    text: str
    refused: str | None = None


def screen_typed(text: str) -> Screened:
    """The consumer's text unchanged, or, for a typed intent Merci does not accept, the
    same text as plain words (no leading ``/``) with the reason of the refusal."""
    typed = text.strip()  # Rasa strips the same way before looking for the prefix
    if not typed.startswith(INTENT_PREFIX):
        return Screened(text)
    body = typed[len(INTENT_PREFIX) :]
    end = min((i for i in (body.find("{"), body.find("@")) if i >= 0), default=len(body))
    # Rasa would not know "/EXTERNAL_x" as an intent; refused all the same, to be sure.
    intent = _plain(body[:end])
    if not intent:
        return Screened(text)  # Rasa reads no intent here: ordinary text
    if intent.upper().startswith(MERCI_INTENT_PREFIX):
        return Screened(_plain(typed), "merci_intent")
    opening = body.find("{")
    if opening >= 0 and not _consumer_entities(body[opening : body.rfind("}") + 1]):
        return Screened(_plain(typed), "merci_entity")
    return Screened(text)


def _consumer_entities(encoded: str) -> bool:
    """True when the typed entities are a JSON object of entities a consumer may give."""
    try:
        entities = json.loads(encoded)
    except ValueError:
        return False
    return isinstance(entities, dict) and set(entities) <= CONSUMER_ENTITIES


def _plain(typed: str) -> str:
    """The text without any leading slashes or spaces: Rasa reads it as words."""
    start = 0
    while start < len(typed) and (typed[start] == INTENT_PREFIX or typed[start].isspace()):
        start += 1
    return typed[start:]
