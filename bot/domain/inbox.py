"""The studio's inbox: what consumers typed that Merci did not understand, grouped by text.

Pure: the messages come from the conversation store (bot/storage/studio_queries.py),
already masked (bot.domain.masking.mask_personal_data) before they reach this module.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# What the FallbackClassifier and the out-of-scope intent mean: Merci did not understand.
NOT_UNDERSTOOD = frozenset({"nlu_fallback", "out_of_scope"})
# Below this confidence, an understood message is shown too (a guess worth checking).
DEFAULT_LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Said:
    """One consumer message, masked: what Merci guessed and how sure it was."""

    text: str
    # What Merci decided (``nlu_fallback`` when unsure) and its best real guess.
    intent: str
    guess: str
    confidence: float
    channel: str
    at: datetime


@dataclass
class Group:
    """Every message with the same (normalised) text, newest first."""

    key: str
    text: str
    intent: str
    guess: str
    confidence: float
    channels: set[str] = field(default_factory=set)
    count: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True)
class Filters:
    intent: str | None = None
    # Show only messages understood with at most this confidence.
    max_confidence: float | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def normalised(text: str) -> str:
    """The text as two consumers typing "the same thing" would both produce it."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(folded.split()).strip(" .!?")


def group_key(text: str) -> str:
    """The stored name of a group: a hash, so a decision keeps no consumer text."""
    return hashlib.sha256(normalised(text).encode()).hexdigest()


def needs_review(said: Said, low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> bool:
    return said.intent in NOT_UNDERSTOOD or said.confidence < low_confidence


def _kept(said: Said, filters: Filters) -> bool:
    return (
        (filters.intent is None or filters.intent in (said.intent, said.guess))
        and (filters.max_confidence is None or said.confidence <= filters.max_confidence)
        and (filters.channel is None or said.channel == filters.channel)
        and (filters.since is None or said.at >= filters.since)
        and (filters.until is None or said.at <= filters.until)
    )


def build_inbox(
    messages: Iterable[Said],
    decided: set[str],
    filters: Filters | None = None,
    low_confidence: float = DEFAULT_LOW_CONFIDENCE,
) -> list[Group]:
    """The groups still to sort, newest first; ``decided`` holds the keys already sorted."""
    groups: dict[str, Group] = {}
    for said in messages:
        if not needs_review(said, low_confidence) or not _kept(said, filters or Filters()):
            continue
        key = group_key(said.text)
        if key in decided:
            continue
        group = groups.setdefault(
            key, Group(key, said.text, said.intent, said.guess, said.confidence)
        )
        group.count += 1
        group.channels.add(said.channel)
        if group.last_at is None or said.at > group.last_at:
            # The newest message speaks for the group: the model that read it is the latest.
            group.last_at = said.at
            group.text, group.intent, group.guess = said.text, said.intent, said.guess
            group.confidence = said.confidence
    return sorted(groups.values(), key=lambda g: g.last_at or datetime.min, reverse=True)
