"""Helpers for the action tests: trackers shaped like Rasa's, and the database as seen by a test.

Trackers are real ``rasa_sdk.Tracker`` objects shaped like the ones Rasa sends to the
action server: a ``user`` event carrying the message (with ``input_channel`` and
``message_id``), followed by the ``slot`` events of the values Rasa extracted from it
(what ``Tracker.slots_to_validate()`` returns to a validation action).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

import bot.storage.engine
from bot.domain.reviews import product_key
from bot.storage.models import Acknowledgement, Consent, Consumer, ProfileField, Review

CHANNEL = "rest"
# Yesterday: seeded values are fresh, so greetings do not turn into freshness questions.
SEED_TIME = (datetime.now(timezone.utc) - timedelta(days=1)).replace(tzinfo=None, microsecond=0)

_ids = itertools.count(1)


def new_message_id() -> str:
    return f"msg-{next(_ids):05d}"


# --- The database --------------------------------------------------------------------


class Database:
    """Read what the actions stored, and seed what a consumer gave in earlier visits.

    Seeding uses the models directly, independently of the code under test.
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def session(self) -> Session:
        return Session(bot.storage.engine.get_engine(), future=True, expire_on_commit=False)

    # reading
    def all(self, model: type, *where: Any) -> list[Any]:
        with self.session() as session:
            return list(session.scalars(select(model).where(*where).order_by(model.id)))

    def consumer(self, sender_id: str, channel: str = CHANNEL) -> Consumer | None:
        rows = self.all(Consumer, Consumer.channel == channel, Consumer.sender_id == sender_id)
        return rows[0] if rows else None

    def profile(self, sender_id: str) -> dict[str, ProfileField]:
        consumer = self.consumer(sender_id)
        if consumer is None:
            return {}
        rows = self.all(ProfileField, ProfileField.consumer_id == consumer.id)
        return {row.field: row for row in rows}

    def values(self, sender_id: str) -> dict[str, str]:
        return {field: row.value for field, row in self.profile(sender_id).items()}

    def reviews(self, sender_id: str) -> list[Review]:
        consumer = self.consumer(sender_id)
        return [] if consumer is None else self.all(Review, Review.consumer_id == consumer.id)

    def acknowledgements(self, sender_id: str) -> list[Acknowledgement]:
        consumer = self.consumer(sender_id)
        if consumer is None:
            return []
        return self.all(Acknowledgement, Acknowledgement.consumer_id == consumer.id)

    # seeding
    def given_profile(
        self, sender_id: str, paused_at: str | None = None, **values: str
    ) -> Consumer:
        with self.session() as session, session.begin():
            consumer = session.scalars(
                select(Consumer).where(Consumer.channel == CHANNEL, Consumer.sender_id == sender_id)
            ).one_or_none()
            if consumer is None:
                consumer = Consumer(channel=CHANNEL, sender_id=sender_id, created_at=SEED_TIME)
                session.add(consumer)
            consumer.profile_paused_at_field = paused_at
            session.flush()
            for field, value in values.items():
                session.add(
                    ProfileField(
                        consumer_id=consumer.id,
                        field=field,
                        value=value,
                        source="seed",
                        updated_at=SEED_TIME,
                    )
                )
        return consumer

    def given_consent(self, sender_id: str, granted: bool = True) -> None:
        """The consumer answered the consent question (« Oui » by default) earlier on."""
        consumer = self.consumer(sender_id) or self.given_profile(sender_id)
        with self.session() as session, session.begin():
            session.add(
                Consent(
                    consumer_id=consumer.id,
                    purpose="personal_data",
                    granted=granted,
                    given_at=SEED_TIME,
                    channel=CHANNEL,
                    text_version="test",
                )
            )

    def given_review(
        self, sender_id: str, rating: int, text: str = "Bof.", product: str | None = None
    ) -> Review:
        consumer = self.consumer(sender_id) or self.given_profile(sender_id)
        with self.session() as session, session.begin():
            review = Review(
                consumer_id=consumer.id,
                event_key=f"seed:{next(_ids)}",
                rating=rating,
                text=text,
                product=product,
                product_key=product_key(product),
                channel=CHANNEL,
                created_at=SEED_TIME,
            )
            session.add(review)
        return review


# A profile with every field but the last form step (contact_channel).
ALMOST_COMPLETE = {
    "first_name": "Marie",
    "email": "marie.dupont@exemple.fr",
    "phone": "+33612345678",
    "birthday": "1990-03-12",
    "city": "Lyon",
    "postal_code": "69003",
    "interests": "cuisine, voyages",
}
COMPLETE = {**ALMOST_COMPLETE, "contact_channel": "email"}


# --- Trackers ------------------------------------------------------------------------


def build_tracker(
    domain: Mapping[str, Any],
    sender_id: str,
    text: str = "",
    intent: str | None = None,
    *,
    entities: Iterable[Mapping[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    extracted: Mapping[str, Any] | None = None,
    active_loop: str | None = None,
    form_turn: bool = False,
    interrupted_by: str | None = None,
    message_id: str | None = None,
    channel: str = CHANNEL,
) -> Tracker:
    """The tracker Rasa sends to the action server after the consumer wrote ``text``.

    ``slots`` are the values the conversation already held before this message.
    ``extracted`` are the slots Rasa filled from this message (``action_extract_slots``
    adds their ``slot`` events right after the user event).

    ``form_turn``: the tracker is the one Rasa's FormAction hands to ``validate_<form>``:
    the conversation, then ``requested_slot``, the form's own execution and the slot
    candidates again, which is what ``Tracker.slots_to_validate()`` returns.
    ``interrupted_by``: a response Rasa said after the message and before the form
    resumed (e.g. ``utter_iamabot``).
    """
    message_id = message_id or new_message_id()
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": [dict(e) for e in entities],
        "message_id": message_id,
    }
    all_slots: dict[str, Any] = {name: None for name in domain["slots"]}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    all_slots.update(extracted or {})

    def slot(name: str, value: Any, timestamp: float) -> dict[str, Any]:
        return {"event": "slot", "name": name, "value": value, "timestamp": timestamp}

    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.1},
    ]
    events += [slot(name, value, 1.2) for name, value in (slots or {}).items()]
    if active_loop:
        events.append({"event": "active_loop", "name": active_loop, "timestamp": 1.3})
    events += [
        {"event": "action", "name": "action_listen", "timestamp": 1.4},
        {
            "event": "user",
            "timestamp": 2.0,
            "text": text,
            "parse_data": parse_data,
            "input_channel": channel,
            "message_id": message_id,
            "metadata": {},
        },
    ]
    events += [slot(name, value, 2.1) for name, value in (extracted or {}).items()]
    events.append(
        {"event": "user_featurization", "timestamp": 2.2, "use_text_for_featurization": False}
    )
    if interrupted_by:
        events += [
            {"event": "action", "name": interrupted_by, "timestamp": 2.3},
            {
                "event": "bot",
                "text": "...",
                "timestamp": 2.31,
                "metadata": {"utter_action": interrupted_by},
            },
        ]
    if form_turn:
        assert active_loop, "a form turn needs the active form"
        events += [
            slot("requested_slot", all_slots["requested_slot"], 2.4),
            {"event": "action", "name": active_loop, "timestamp": 2.5},
        ]
        events += [slot(name, value, 2.6) for name, value in (extracted or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": all_slots,
            "latest_message": parse_data,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": active_loop if form_turn else "action_listen",
        }
    )


# --- What the action did ---------------------------------------------------------------


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots the action set, last value wins (as Rasa applies them)."""
    assert all(e.get("event") == "slot" for e in events), events
    return {e["name"]: e["value"] for e in events}


def responses_said(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


def texts_said(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def rendered_variants(responses: Mapping[str, Any], name: str, **values: Any) -> set[str]:
    """Every variant of response ``name`` that can be filled with ``values``, rendered."""
    known = {k for k, v in values.items() if v not in (None, "")}
    filled = {k: "" if v is None else v for k, v in values.items()}
    return {v.text.format_map(filled) for v in responses[name] if v.placeholders <= known}
