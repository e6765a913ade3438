"""The figures of the "invisible work" report, counted by the database.

Every figure is one aggregate query of ``bot.storage.report_queries`` (GROUP BY in SQL),
run in one transaction. A period ``[since, until)`` bounds what was done (fields entered
or confirmed, reviews, thanks); freshness is the state of the base at ``until``.

The database keeps the latest value of each field: a value entered and later corrected
counts once, at its latest entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.freshness import FreshnessPolicy
from bot.domain.profile import PROFILE_FIELDS
from bot.storage import report_queries as queries
from bot.storage.models import utcnow
from bot.storage.unit_of_work import transaction
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
    # (catalogue id, product name) -> reviews about that product of the catalogue
    products: Mapping[tuple[str, str], int]
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

    def reviews_by_product(self) -> list[tuple[str, str, int]]:
        """(id, name, reviews) for each product of the catalogue reviewed, most reviewed first."""
        ranked = sorted(self.products.items(), key=lambda item: (-item[1], item[0][1]))
        return [(pid, name, count) for (pid, name), count in ranked]

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


def compute(
    engine: Engine,
    policy: FreshnessPolicy,
    assumptions: ReportAssumptions,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Figures:
    """Count everything the report shows, in one read transaction; StorageError if it fails."""
    end = until or utcnow()
    return transaction(lambda session: _count(session, policy, assumptions, since, end), engine)


def _count(
    session: Session,
    policy: FreshnessPolicy,
    assumptions: ReportAssumptions,
    since: datetime | None,
    until: datetime,
) -> Figures:
    consumers, new_consumers = queries.consumer_counts(session, since, until)
    complete, completed = queries.complete_profile_counts(session, PROFILE_FIELDS, since, until)
    reviews = queries.review_counts(session, since, until)
    oldest_fresh = {
        field: until - timedelta(days=policy.period_days(field)) for field in PROFILE_FIELDS
    }
    fresh = queries.fresh_counts(session, oldest_fresh, until)
    return Figures(
        since=since,
        until=until,
        consumers=consumers,
        new_consumers=new_consumers,
        complete_profiles=complete,
        profiles_completed=completed,
        entered=queries.fields_entered(session, PROFILE_FIELDS, since, until),
        confirmed=queries.fields_confirmed(session, PROFILE_FIELDS, since, until),
        reviews={(r.rating, r.channel): r.reviews for r in reviews},
        products=queries.product_review_counts(session, since, until),
        improvements=sum(r.improvements for r in reviews),
        followups=sum(r.followups for r in reviews),
        thanks=queries.thanks_counts(session, since, until),
        fresh={field: fresh.get(field, (0, 0)) for field in PROFILE_FIELDS},
        assumptions=assumptions,
    )
