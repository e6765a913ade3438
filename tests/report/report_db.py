"""A small hand-made database whose figures are known by heart.

Four consumers, until 25 November 2026, period from 1 January 2026:

- Marie (chat web, since December 2025) entered her whole profile in February 2026 and
  confirmed it on 1 October 2026; she was thanked three times in the period.
- Paul (Messenger, new in March 2026) gave his first name and e-mail, then reviewed two
  products of the catalogue (Crème de jour 5 stars, then Baume à lèvres 2 stars with a
  request to be called back).
- Léa (REST, since June 2025) gave her e-mail and city in June 2025 (the city is now out
  of the 12-month policy), reviewed the Crème de jour 4 stars in 2025 and 3 stars in May
  2026 with a suggestion.
- Jean (chat web, since 2024) gave his interests in January 2024 and confirmed them on
  1 September 2026, within the 6-month policy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.freshness import FreshnessPolicy
from bot.domain.profile import PROFILE_FIELDS
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review

SINCE = datetime(2026, 1, 1)
UNTIL = datetime(2026, 11, 25)
POLICY = FreshnessPolicy(
    {"first_name": 60, "email": 24, "phone": 24, "birthday": 120, "city": 12,
     "postal_code": 12, "interests": 6, "contact_channel": 12},
    quiet_days=7,
)  # fmt: skip

MARIE_PROFILE = {
    "first_name": "Marie", "email": "marie@exemple.fr", "phone": "+33612345678",
    "birthday": "1990-03-12", "city": "Lyon", "postal_code": "69003",
    "interests": "cuisine, voyages", "contact_channel": "email",
}  # fmt: skip


def _consumer(session: Session, channel: str, sender: str, created: datetime) -> Consumer:
    consumer = Consumer(channel=channel, sender_id=sender, created_at=created)
    session.add(consumer)
    session.flush()
    return consumer


def _field(consumer: Consumer, field: str, value: str, updated: datetime,
           confirmed: datetime | None = None) -> ProfileField:  # fmt: skip
    return ProfileField(consumer_id=consumer.id, field=field, value=value, source="chat",
                        updated_at=updated, confirmed_at=confirmed)  # fmt: skip


def _review(consumer: Consumer, key: str, rating: int, at: datetime, **extra: object) -> Review:
    return Review(consumer_id=consumer.id, event_key=key, rating=rating, text="Avis.",
                  channel=consumer.channel, created_at=at, **extra)  # fmt: skip


def _thanks(
    consumer: Consumer, key: str, kind: str, response: str, at: datetime
) -> Acknowledgement:
    return Acknowledgement(consumer_id=consumer.id, event_key=key, kind=kind, response=response,
                           variant=0, text="Merci !", created_at=at)  # fmt: skip


def build_database(url: str) -> Engine:
    """Migrate ``url`` and fill it with the four consumers above."""
    upgrade(url)
    engine = build_engine(url)
    with Session(engine) as session, session.begin():
        marie = _consumer(session, "socketio", "marie", datetime(2025, 12, 15))
        for day, (field, value) in enumerate(MARIE_PROFILE.items(), start=1):
            session.add(_field(marie, field, value, datetime(2026, 2, day),
                               confirmed=datetime(2026, 10, 1)))  # fmt: skip
        session.add_all([
            _thanks(marie, "f1", "field_saved", "utter_thank_field_saved", datetime(2026, 2, 1)),
            _thanks(marie, "f2", "field_saved", "utter_thank_field_saved", datetime(2026, 2, 2)),
            _thanks(marie, "f8", "field_saved", "utter_congratulate_profile_complete",
                    datetime(2026, 2, 8)),
        ])  # fmt: skip

        paul = _consumer(session, "facebook", "paul", datetime(2026, 3, 10))
        session.add_all([
            _field(paul, "first_name", "Paul", datetime(2026, 3, 10)),
            _field(paul, "email", "paul@exemple.fr", datetime(2026, 3, 10)),
            _review(paul, "r1", 5, datetime(2026, 3, 11), product="Crème de jour",
                    product_id="creme-de-jour"),
            _review(paul, "r2", 2, datetime(2026, 4, 2), product="Baume à lèvres",
                    product_id="baume-levres", followup_requested_at=datetime(2026, 4, 2, 0, 1)),
            _thanks(paul, "r1", "review", "utter_thank_first_review_5", datetime(2026, 3, 11)),
        ])  # fmt: skip

        lea = _consumer(session, "rest", "lea", datetime(2025, 6, 1))
        session.add_all([
            _field(lea, "email", "lea@exemple.fr", datetime(2025, 6, 1)),
            _field(lea, "city", "Nantes", datetime(2025, 6, 1)),
            _field(lea, "postal_code", "44000", datetime(2025, 6, 1)),
            _review(lea, "r1", 4, datetime(2025, 7, 1), product="Crème de jour",
                    product_id="creme-de-jour"),
            _review(lea, "r2", 3, datetime(2026, 5, 5), improvement="Un flacon plus grand.",
                    product="Crème de jour", product_id="creme-de-jour"),
            _thanks(lea, "r1", "review", "utter_thank_first_review_middle", datetime(2025, 7, 1)),
        ])  # fmt: skip

        jean = _consumer(session, "socketio", "jean", datetime(2024, 1, 1))
        session.add(_field(jean, "interests", "vélo", datetime(2024, 1, 1),
                           confirmed=datetime(2026, 9, 1)))  # fmt: skip
    return engine


assert set(MARIE_PROFILE) == set(PROFILE_FIELDS)
