"""The figures of the "invisible work" report, counted by the database.

Every figure is one aggregate query (GROUP BY in SQL), so the report costs a handful of
scans whatever the number of consumers. A period ``[since, until)`` bounds what was
done (fields entered or confirmed, reviews, thanks); freshness is the state of the base
at ``until``.

The database keeps the latest value of each field: a value entered and later corrected
counts once, at its latest entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, and_, case, distinct, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.freshness import FreshnessPolicy
from bot.domain.profile import PROFILE_FIELDS
from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review, utcnow
from bot.tools.invisible_work.assumptions import ReportAssumptions

BANDS = {"low": (1, 2), "middle": (3, 4), "high": (5,)}


@dataclass(frozen=True)
class Figures:
    since: datetime | None
    until: datetime
    consumers: int
    new_consumers: int
    complete_profiles: int
    profiles_completed: int  # complete, with their last field entered in the period
    entered: Mapping[tuple[str, str], int]  # (field, channel) -> fields entered
    confirmed: Mapping[tuple[str, str], int]  # (field, channel) -> fields confirmed
    reviews: Mapping[tuple[int, str], int]  # (rating, channel) -> reviews
    improvements: int  # "what would make it a 5" answers
    followups: int  # disappointed consumers who asked to be called back
    thanks: Mapping[tuple[str, str], int]  # (kind, response) -> acknowledgements
    fresh: Mapping[str, tuple[int, int]]  # field -> (within policy, stored)
    assumptions: ReportAssumptions

    # -- totals and derived figures ----------------------------------------------------

    @staticmethod
    def _by(counts: Mapping[tuple[Any, str], int], index: int = 0) -> dict[Any, int]:
        totals: dict[Any, int] = {}
        for key, count in counts.items():
            totals[key[index]] = totals.get(key[index], 0) + count
        return totals

    @property
    def fields_entered(self) -> int:
        return sum(self.entered.values())

    @property
    def fields_confirmed(self) -> int:
        return sum(self.confirmed.values())

    @property
    def review_count(self) -> int:
        return sum(self.reviews.values())

    @property
    def thanks_sent(self) -> int:
        return sum(self.thanks.values())

    def entered_by_field(self) -> dict[str, int]:
        return self._by(self.entered)

    def entered_by_channel(self) -> dict[str, int]:
        return self._by(self.entered, 1)

    def confirmed_by_field(self) -> dict[str, int]:
        return self._by(self.confirmed)

    def reviews_by_rating(self) -> dict[int, int]:
        by_rating = self._by(self.reviews)
        return {rating: by_rating.get(rating, 0) for rating in range(1, 6)}

    def reviews_by_band(self) -> dict[str, int]:
        by_rating = self.reviews_by_rating()
        return {band: sum(by_rating[r] for r in ratings) for band, ratings in BANDS.items()}

    def thanks_by_response(self) -> dict[str, int]:
        return dict(sorted(self._by(self.thanks, 1).items(), key=lambda item: -item[1]))

    @property
    def freshness_share(self) -> float | None:
        """Share of stored fields within the freshness policy (None when nothing is stored)."""
        stored = sum(total for _, total in self.fresh.values())
        return sum(fresh for fresh, _ in self.fresh.values()) / stored if stored else None

    @property
    def seconds_spent(self) -> float:
        s = self.assumptions
        return (
            self.fields_entered * s.seconds_per_field
            + self.fields_confirmed * s.seconds_per_confirmation
            + self.review_count * s.seconds_per_review
        )

    @property
    def hours_spent(self) -> float:
        return self.seconds_spent / 3600

    @property
    def equivalent_cost(self) -> float:
        """What the brand would have paid someone to do the same data entry, in euros."""
        return self.hours_spent * self.assumptions.hourly_rate


def _period(column: Any, since: datetime | None, until: datetime) -> ColumnElement[bool]:
    if since is None:
        return column < until
    return and_(column >= since, column < until)


def _pairs(rows: Any) -> dict[tuple[Any, str], int]:
    return {(row[0], row[1]): int(row[2]) for row in rows}


def compute(
    engine: Engine,
    policy: FreshnessPolicy,
    assumptions: ReportAssumptions,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Figures:
    """Count everything the report shows, in a few grouped queries."""
    until = until or utcnow()
    known_field = ProfileField.field.in_(PROFILE_FIELDS)
    with engine.connect() as db:
        new = case((Consumer.created_at >= since, 1), else_=0) if since else literal(1)
        consumers, new_consumers = db.execute(
            select(func.count(), func.coalesce(func.sum(new), 0)).where(Consumer.created_at < until)
        ).one()

        last_entry = func.max(ProfileField.updated_at).label("last_entry")
        complete = (
            select(ProfileField.consumer_id, last_entry)
            .where(known_field, ProfileField.updated_at < until)
            .group_by(ProfileField.consumer_id)
            .having(func.count(distinct(ProfileField.field)) == len(PROFILE_FIELDS))
            .subquery()
        )
        completed = case((complete.c.last_entry >= since, 1), else_=0) if since else literal(1)
        complete_profiles, profiles_completed = db.execute(
            select(func.count(), func.coalesce(func.sum(completed), 0)).select_from(complete)
        ).one()

        def by_field_and_channel(column: Any) -> dict[tuple[Any, str], int]:
            return _pairs(
                db.execute(
                    select(ProfileField.field, Consumer.channel, func.count())
                    .join(Consumer, Consumer.id == ProfileField.consumer_id)
                    .where(known_field, _period(column, since, until))
                    .group_by(ProfileField.field, Consumer.channel)
                )
            )

        entered = by_field_and_channel(ProfileField.updated_at)
        confirmed = by_field_and_channel(ProfileField.confirmed_at)

        review_rows = db.execute(
            select(
                Review.rating,
                Review.channel,
                func.count(),
                func.count(Review.improvement),
                func.count(Review.followup_requested_at),
            )
            .where(_period(Review.created_at, since, until))
            .group_by(Review.rating, Review.channel)
        ).all()

        thanks = _pairs(
            db.execute(
                select(Acknowledgement.kind, Acknowledgement.response, func.count())
                .where(_period(Acknowledgement.created_at, since, until))
                .group_by(Acknowledgement.kind, Acknowledgement.response)
            )
        )

        fresh = {
            field: (int(within or 0), int(stored))
            for field, stored, within in db.execute(_freshness_query(policy, until))
        }
    return Figures(
        since=since,
        until=until,
        consumers=int(consumers),
        new_consumers=int(new_consumers),
        complete_profiles=int(complete_profiles),
        profiles_completed=int(profiles_completed),
        entered=entered,
        confirmed=confirmed,
        reviews={(int(r[0]), r[1]): int(r[2]) for r in review_rows},
        improvements=sum(int(r[3]) for r in review_rows),
        followups=sum(int(r[4]) for r in review_rows),
        thanks=thanks,
        fresh={f: fresh.get(f, (0, 0)) for f in PROFILE_FIELDS},
        assumptions=assumptions,
    )


def _freshness_query(policy: FreshnessPolicy, until: datetime) -> Any:
    """Per field: values stored, and values updated or confirmed within the policy's period."""
    latest = case(
        (ProfileField.confirmed_at > ProfileField.updated_at, ProfileField.confirmed_at),
        else_=ProfileField.updated_at,
    )
    oldest_fresh = case(
        {
            field: literal(until - timedelta(days=policy.period_days(field)), DateTime())
            for field in PROFILE_FIELDS
        },
        value=ProfileField.field,
    )
    within = func.sum(case((latest >= oldest_fresh, 1), else_=0))
    return (
        select(ProfileField.field, func.count(), within)
        .where(ProfileField.field.in_(PROFILE_FIELDS), ProfileField.updated_at < until)
        .group_by(ProfileField.field)
    )
