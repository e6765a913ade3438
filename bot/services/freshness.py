"""Keeping data current: which stored value to check with the consumer, and their answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.congratulations import Occasion
from bot.domain.freshness import FreshnessPolicy
from bot.domain.masking import masked_value
from bot.domain.profile import (
    FORM_STEPS,
    PROFILE_FIELDS,
    completeness,
    display_value,
    step_of_field,
)
from bot.services.base import Context, Identity, personal_values
from bot.services.privacy import is_proven
from bot.services.profile import Thanks
from bot.storage import repository as repo
from bot.storage.models import Consumer, ProfileField


@dataclass(frozen=True)
class StaleValue:
    """A stored value Merci should check with the consumer ("toujours marie@exemple.fr ?"),
    masked ("toujours m•••@exemple.fr ?") where the identity is not proven."""

    step: str
    value: str


class FreshnessService:
    def __init__(self, context: Context, policy: FreshnessPolicy) -> None:
        self.context = context
        self.policy = policy

    def confirm_profile(
        self, who: Identity, event_key: str, step: str | None = None
    ) -> Thanks | None:
        """The consumer says their data (or one step of it) is still right: record and thank.
        None when Merci holds no data for them (nothing to confirm, nothing stored)."""

        def write(session: Session) -> Thanks | None:
            consumer = self.context.find_consumer(session, who)
            fields = repo.profile_fields(session, consumer.id) if consumer else {}
            if consumer is None or not fields:
                return None
            replay = self.context.replay(session, consumer, event_key)
            if replay is not None:
                return Thanks(replay, completeness(fields), frozenset(fields), replayed=True)
            now = self.context.clock()
            confirmed = {
                f: row for f, row in fields.items() if step is None or f in FORM_STEPS[step]
            }
            repo.confirm_fields(session, confirmed, now)
            values = personal_values(fields, completeness=completeness(fields))
            if step is not None:
                values["field_label"] = self.context.label(step)
            occasion = Occasion("data_confirmed", field=step)
            reply = self.context.thank(session, consumer, occasion, event_key, values, now)
            return Thanks(reply, completeness(fields), frozenset(fields))

        return self.context.run(write)

    def stale_counts(self, policy: FreshnessPolicy | None = None) -> dict[str, int]:
        """How many consumers hold a stale value, per field (for marketers)."""
        policy = policy or self.policy

        def read(session: Session) -> dict[str, int]:
            now = self.context.clock()
            return {
                field: repo.count_stale_consumers(
                    session, field, now - timedelta(days=policy.period_days(field))
                )
                for field in PROFILE_FIELDS
            }

        return self.context.run(read)

    def stale_value(
        self,
        session: Session,
        consumer: Consumer,
        fields: dict[str, ProfileField],
        policy: FreshnessPolicy,
        now: datetime,
    ) -> StaleValue | None:
        """Inside a greeting: the oldest stale value to ask about, if a question is allowed
        now (not twice within the quiet days, whatever the channel; once per conversation).
        A sender id the caller chose proves nothing: there, the value is only hinted at."""
        if not self._may_ask(session, consumer, policy, now):
            return None
        rows = [
            r
            for r in fields.values()
            if policy.is_stale(r.field, r.updated_at, r.confirmed_at, now)
        ]
        if not rows:
            return None
        oldest = min(rows, key=lambda r: max(r.updated_at, r.confirmed_at or r.updated_at))
        step = step_of_field(oldest.field)
        consumer.freshness_asked_at = now
        values = {f: row.value for f, row in fields.items()}
        if is_proven(consumer):
            return StaleValue(step, display_value(step, values))
        return StaleValue(step, masked_value(step, values))

    @staticmethod
    def _may_ask(
        session: Session, consumer: Consumer, policy: FreshnessPolicy, now: datetime
    ) -> bool:
        identities = (
            repo.consumers_by_external_id(session, consumer.external_id)
            if consumer.external_id
            else [consumer]
        )
        for identity in identities:
            asked = identity.freshness_asked_at
            if asked is None:
                continue
            if now - asked < timedelta(days=policy.quiet_days):
                return False
            if asked >= (consumer.last_seen_at or consumer.created_at):
                return False  # at most one question per conversation
        return True
