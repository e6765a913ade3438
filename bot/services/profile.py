"""The consumer's profile: what Merci holds, each value saved and thanked, pauses and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.config import DEFAULT_PROFILE_REMINDER_HOURS
from bot.domain.congratulations import Occasion
from bot.domain.privacy import MARKETING_CONTACT, PERSONAL_DATA, PrivacyPolicy
from bot.domain.profile import FORM_STEPS, completeness, crossed_milestone, missing_steps
from bot.domain.validation import Parsed
from bot.domain.wording import Reply
from bot.services.base import Context, Identity, personal_values
from bot.services.privacy import add_consent, consent_refused, may_contact
from bot.storage import repository as repo
from bot.storage.models import Consumer, Nudge

PROFILE_REMINDER = "profile_reminder"


class ConsentRefused(RuntimeError):
    """The consumer refused that Merci keep personal data: nothing of theirs is stored."""


@dataclass(frozen=True)
class ProfileState:
    values: dict[str, str]
    completeness: int
    paused_at: str | None

    @property
    def first_name(self) -> str | None:
        return self.values.get("first_name")

    def missing_steps(self, skipped: list[str] | tuple[str, ...] = ()) -> list[str]:
        return missing_steps(self.values, skipped)


EMPTY_PROFILE = ProfileState({}, 0, None)


@dataclass(frozen=True)
class Thanks:
    """The outcome of a contribution: the reply to send and the new profile state."""

    reply: Reply
    completeness: int
    filled: frozenset[str] = frozenset()
    replayed: bool = False


def field_event_key(step: str, message_id: str) -> str:
    return f"field:{step}:{message_id}"


def profile_of(session: Session, consumer: Consumer) -> ProfileState:
    values = {f: row.value for f, row in repo.profile_fields(session, consumer.id).items()}
    return ProfileState(values, completeness(values), consumer.profile_paused_at_field)


class ProfileService:
    def __init__(
        self,
        context: Context,
        reminder_delay: timedelta = timedelta(hours=DEFAULT_PROFILE_REMINDER_HOURS),
        privacy: PrivacyPolicy | None = None,
    ) -> None:
        self.context = context
        self.reminder_delay = reminder_delay
        self.privacy = privacy or PrivacyPolicy.default()

    def profile_state(self, who: Identity) -> ProfileState:
        def read(session: Session) -> ProfileState:
            consumer = self.context.find_consumer(session, who)
            return EMPTY_PROFILE if consumer is None else profile_of(session, consumer)

        return self.context.run(read)

    def save_profile_step(
        self,
        who: Identity,
        step: str,
        parsed: Parsed,
        event_key: str,
        source: str = "chat",
        with_consent: bool = False,
    ) -> Thanks:
        """Store the values of one form step and choose the thank-you; ``with_consent``
        records the consumer's yes to keeping personal data in the same transaction."""
        return self.save_profile_steps(who, {step: parsed}, event_key, source, with_consent)

    def save_profile_steps(
        self,
        who: Identity,
        steps: dict[str, Parsed],
        event_key: str,
        source: str = "chat",
        with_consent: bool = False,
    ) -> Thanks:
        """Store the values of one or more form steps given in one message, thanked once."""
        for step, parsed in steps.items():
            if step not in FORM_STEPS or set(parsed.values) - set(FORM_STEPS[step]):
                raise ValueError(f"values {sorted(parsed.values)} do not belong to step {step!r}")

        def write(session: Session) -> Thanks:
            consumer = self.context.consumer(session, who)
            if with_consent:
                self._add_consent(session, consumer, PERSONAL_DATA, True)
            elif consent_refused(session, consumer):
                raise ConsentRefused("personal data refused")
            return self.save_steps(session, consumer, steps, event_key, source)

        return self.context.run(write)

    def pause_profile(self, who: Identity, step: str | None) -> bool:
        """Remember where the profile form stopped, to offer to resume next time, and schedule
        a reminder if the consumer accepts to be contacted. True when a reminder was planned."""

        def write(session: Session) -> bool:
            consumer = self.context.consumer(session, who)
            # The consent question is not a profile step to resume at.
            consumer.profile_paused_at_field = step if step in FORM_STEPS else None
            fields = {f: row.value for f, row in repo.profile_fields(session, consumer.id).items()}
            if not may_contact(session, consumer) or not missing_steps(fields):
                return False
            if repo.pending_nudge(session, consumer.id, PROFILE_REMINDER) is not None:
                return False
            now = self.context.clock()
            session.add(
                Nudge(
                    consumer_id=consumer.id,
                    kind=PROFILE_REMINDER,
                    due_at=now + self.reminder_delay,
                    created_at=now,
                )
            )
            return True

        return self.context.run(write)

    def save_steps(
        self,
        session: Session,
        consumer: Consumer,
        steps: dict[str, Parsed],
        event_key: str,
        source: str,
    ) -> Thanks:
        """Inside a transaction: store the values of ``steps`` (from the chat or the brand's
        site) and thank once for all of them."""
        fields = repo.profile_fields(session, consumer.id)
        replay = self.context.replay(session, consumer, event_key)
        if replay is not None:
            return Thanks(replay, completeness(fields), frozenset(fields), replayed=True)
        now = self.context.clock()
        before = completeness(fields)
        for parsed in steps.values():
            for name, value in parsed.values.items():
                repo.upsert_field(session, fields, consumer.id, name, value, source, now)
        after = completeness(fields)
        if "contact_channel" in steps:
            self._record_contact_choice(session, consumer, steps["contact_channel"])
        if consumer.profile_paused_at_field in steps or not missing_steps(fields):
            consumer.profile_paused_at_field = None
        step = next(iter(steps)) if len(steps) == 1 else None
        occasion = Occasion(
            "field_saved",
            field=step,
            milestone=crossed_milestone(before, after, self.context.table.milestones),
        )
        values = personal_values(
            fields, completeness=after, field_label=self.context.label(step or "")
        )
        reply = self.context.thank(session, consumer, occasion, event_key, values, now)
        return Thanks(reply, after, frozenset(fields))

    def _record_contact_choice(self, session: Session, consumer: Consumer, parsed: Parsed) -> None:
        """Choosing a contact channel is the marketing opt-in; "aucun contact" refuses it."""
        choice = parsed.values.get("contact_channel")
        self._add_consent(session, consumer, MARKETING_CONTACT, choice not in (None, "none"))

    def _add_consent(
        self, session: Session, consumer: Consumer, purpose: str, granted: bool
    ) -> None:
        add_consent(session, consumer, purpose, granted, self.context.clock(), self.privacy)
