"""Keeping data current: the freshness policy file, when a value is stale, how it is shown
back to the consumer, and when Merci asks "toujours marie@exemple.fr ?" (ConversationService.greet).

Real policy file, real domain and congratulation table, real SQLite; the clock is moved by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

import pytest
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.domain.freshness import DAYS_PER_MONTH, FreshnessPolicy, PolicyError, load_policy
from bot.domain.mistakes import Code, Place
from bot.domain.profile import display_value, step_of_field
from bot.domain.validation import (
    parse_city,
    parse_email,
    parse_first_name,
    parse_interests,
    parse_phone,
)
from bot.services import Identity, Services, build_services
from bot.services.freshness import StaleValue
from bot.services.profile import ProfileState
from bot.storage.models import Consumer, ProfileField

POLICY = PROJECT_ROOT / "data" / "freshness.yml"
NOW = datetime(2026, 11, 25, 10, 30)  # the conftest clock's starting time
MONTH = timedelta(days=DAYS_PER_MONTH)
NNBSP = "\u202f"  # French typography: thin no-break space before "?"
PARSERS = {
    "first_name": parse_first_name,
    "email": parse_email,
    "phone": parse_phone,
    "city": parse_city,
    "interests": parse_interests,
}

REST = Identity(channel="rest", sender_id="marie-web")
FACEBOOK = Identity(channel="facebook", sender_id="psid-778899")


@pytest.fixture(scope="module")
def policy() -> FreshnessPolicy:
    return load_policy(POLICY)


@pytest.fixture
def marie() -> Identity:
    """A Messenger consumer: Facebook proves who they are, so their values are shown back
    (masking on unproven identities is tested at the end of this file)."""
    return Identity(channel="facebook", sender_id="psid-marie")


@pytest.fixture
def merci(engine, table, responses, clock, policy) -> Services:
    """The service as Merci runs it: with the real freshness policy."""
    return build_services(engine, table, responses, clock=clock, freshness=policy)


_message_ids = count(1)


def save_at(service, clock, who: Identity, step: str, said: str, when: datetime):
    """The consumer gave ``said`` for ``step`` at ``when``; the clock then goes back to NOW."""
    back = clock.now
    clock.now = when
    try:
        return service.profile.save_profile_step(
            who, step, PARSERS[step](said), f"field:{step}:m{next(_message_ids)}"
        )
    finally:
        clock.now = back


def new_conversation(service, clock, who: Identity, **later: float) -> None:
    """Time passes, then the consumer opens a new conversation (action_session_start)."""
    clock.advance(**later)
    service.conversation.start_conversation(who)


def asked_at(db, who: Identity) -> datetime | None:
    rows = db.select(Consumer.channel, Consumer.sender_id, Consumer.freshness_asked_at)
    return {(channel, sender): at for channel, sender, at in rows}[(who.channel, who.sender_id)]


def confirmed(db) -> dict[str, datetime | None]:
    return {f: at for f, at in db.select(ProfileField.field, ProfileField.confirmed_at)}


# --- the policy file ----------------------------------------------------------------------


def test_the_real_policy_gives_each_field_its_duration_and_seven_quiet_days(policy):
    assert dict(policy.months) == {
        "first_name": 60,
        "email": 24,
        "phone": 24,
        "birthday": 120,
        "city": 12,
        "postal_code": 12,
        "interests": 6,
        "contact_channel": 12,
    }
    assert policy.quiet_days == 7


def test_a_field_left_out_of_the_file_lasts_default_months(tmp_path):
    path = tmp_path / "freshness.yml"
    path.write_text("default_months: 18\nfields:\n  interests: 3\nquiet_days: 0\n", "utf-8")
    loaded = load_policy(path)
    assert loaded.months["interests"] == 3
    assert loaded.months["email"] == loaded.months["phone"] == 18
    assert loaded.quiet_days == 0


@pytest.mark.parametrize(
    ("content", "code", "values", "line"),
    [
        ("fields:\n  pointure: 12\n", Code.UNKNOWN_FIELD, {"field": "pointure"}, None),
        ("fields:\n  email: 0\n", Code.NON_POSITIVE_MONTHS, {"field": "email", "value": 0}, None),
        ("fields:\n  phone: -6\n", Code.NON_POSITIVE_MONTHS, {"field": "phone", "value": -6}, None),
        (
            "fields:\n  city: douze\n",
            Code.NON_POSITIVE_MONTHS,
            {"field": "city", "value": "douze"},
            None,
        ),
        (
            "fields:\n  city: oui\n",
            Code.NON_POSITIVE_MONTHS,
            {"field": "city", "value": "oui"},
            None,
        ),
        ("fields:\n  email:\n", Code.NON_POSITIVE_MONTHS, {"field": "email", "value": None}, None),
        ("default_months: 0\n", Code.NON_POSITIVE_DEFAULT_MONTHS, {"value": 0}, None),
        (
            "default_months: deux ans\n",
            Code.NON_POSITIVE_DEFAULT_MONTHS,
            {"value": "deux ans"},
            None,
        ),
        ("quiet_days: -1\n", Code.BAD_QUIET_DAYS, {"value": -1}, None),
        ("quiet_days: 2.5\n", Code.BAD_QUIET_DAYS, {"value": 2.5}, None),
        ("quiet_days: une semaine\n", Code.BAD_QUIET_DAYS, {"value": "une semaine"}, None),
        ("- email: 24\n- phone: 24\n", Code.POLICY_NOT_A_MAPPING, {}, None),
        ("fields:\n  email: 24\n   phone: 12\n", Code.INVALID_YAML, {}, 3),
        ("quiet_days: 7\nfields:\n  email: [24\n", Code.INVALID_YAML, {}, 4),
    ],
    ids=[
        "unknown-field",
        "zero-months",
        "negative-months",
        "months-in-words",
        "months-yes",
        "months-empty",
        "zero-default",
        "default-in-words",
        "negative-quiet-days",
        "fractional-quiet-days",
        "quiet-days-in-words",
        "top-level-list",
        "bad-indentation",
        "unclosed-bracket",
    ],
)
def test_a_broken_policy_is_refused_with_what_to_fix(tmp_path, content, code, values, line):
    path = tmp_path / "freshness.yml"
    path.write_text(content, "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert any(
        said.code is code
        and all(said.values.get(key) == value for key, value in values.items())
        and (line is None or said.place.line == line)
        for said in refused.value.problems
    ), refused.value.problems
    assert str(path) in str(refused.value)


def test_every_problem_of_the_file_is_reported_at_once(tmp_path):
    path = tmp_path / "freshness.yml"
    path.write_text("fields:\n  pointure: 12\n  email: 0\nquiet_days: -2\n", "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert len(refused.value.problems) == 3


@pytest.mark.parametrize("content", ["fields:\n  - email: 24\n  - phone: 24\n", "fields: 12\n"])
def test_a_fields_section_that_is_not_a_mapping_is_a_policy_error(tmp_path, content):
    path = tmp_path / "freshness.yml"
    path.write_text(content, "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert [said.code for said in refused.value.problems] == [Code.FIELDS_NOT_A_MAPPING]
    assert refused.value.problems[0].place == Place(("fields",))


def test_a_refused_policy_says_what_to_fix_in_french_for_the_startup_message(tmp_path):
    path = tmp_path / "freshness.yml"
    path.write_text("fields:\n  city: -1\nquiet_day: 7\n", "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert str(refused.value) == (
        f"{path}\u00a0: 2 problème(s) dans la durée de validité des informations\u00a0:\n"
        "- clé «\u00a0quiet_day\u00a0» inconnue, elle serait ignorée\u00a0: clés possibles\u00a0: "
        "default_months, fields, quiet_days\n"
        "- city vaut -1, ce n'est pas un nombre de mois positif\u00a0: écrivez par exemple "
        "`city: 12`"
    )


# --- is_stale -----------------------------------------------------------------------------

PERIOD = 24 * MONTH  # email and phone in the real policy


@pytest.mark.parametrize(
    ("updated", "confirmed_", "stale"),
    [
        (NOW - 25 * MONTH, None, True),
        (NOW - 23 * MONTH, None, False),
        (NOW - 25 * MONTH, NOW - 1 * MONTH, False),  # old value, recently confirmed
        (NOW - 36 * MONTH, NOW - 25 * MONTH, True),  # confirmed, but too long ago
        (NOW - 1 * MONTH, NOW - 30 * MONTH, False),  # a confirmation older than the update
        (NOW - PERIOD + timedelta(seconds=1), None, False),  # just inside the period
        (NOW - PERIOD - timedelta(seconds=1), None, True),  # just outside
        (NOW - 40 * MONTH, NOW - PERIOD + timedelta(seconds=1), False),
        (NOW - 40 * MONTH, NOW - PERIOD - timedelta(seconds=1), True),
    ],
)
def test_a_value_is_stale_when_neither_update_nor_confirmation_is_within_the_period(
    policy, updated, confirmed_, stale
):
    assert policy.is_stale("email", updated, confirmed_, NOW) is stale


def test_the_period_is_counted_in_months_of_30_4375_days(policy):
    assert policy.period_days("email") == 24 * 30.4375 == 730.5
    assert policy.period_days("interests") == 6 * 30.4375


@pytest.mark.parametrize(
    ("field", "stale"),
    [("interests", True), ("city", False), ("email", False), ("first_name", False)],
)
def test_each_field_has_its_own_period(policy, field, stale):
    seven_months_ago = NOW - 7 * MONTH
    assert policy.is_stale(field, seven_months_ago, None, NOW) is stale


# --- how a stored value is shown back -----------------------------------------------------


@pytest.mark.parametrize(
    ("step", "values", "shown"),
    [
        ("phone", {"phone": "+33612345678"}, "06 12 34 56 78"),
        ("phone", {"phone": "+33145678901"}, "01 45 67 89 01"),
        ("birthday", {"birthday": "1990-03-12"}, "12/03/1990"),
        ("city", {"city": "Lyon", "postal_code": "69003"}, "Lyon (69003)"),
        ("city", {"city": "Aix-en-Provence", "postal_code": "13100"}, "Aix-en-Provence (13100)"),
        ("city", {"city": "Lyon"}, "Lyon"),
        ("contact_channel", {"contact_channel": "sms"}, "par SMS"),
        ("contact_channel", {"contact_channel": "email"}, "par e-mail"),
        ("contact_channel", {"contact_channel": "messenger"}, "sur Messenger"),
        ("email", {"email": "marie@exemple.fr"}, "marie@exemple.fr"),
        ("interests", {"interests": "cuisine, jardinage"}, "cuisine, jardinage"),
        ("first_name", {"first_name": "Marie"}, "Marie"),
    ],
)
def test_a_stored_value_is_shown_as_a_consumer_would_write_it(step, values, shown):
    assert display_value(step, values) == shown


@pytest.mark.parametrize(
    ("field", "step"),
    [("postal_code", "city"), ("city", "city"), ("email", "email"), ("birthday", "birthday")],
)
def test_each_field_is_asked_by_its_form_step(field, step):
    assert step_of_field(field) == step


# --- greet: asking about a stale value ----------------------------------------------------


def test_a_consumer_merci_has_never_met_gets_no_question_and_an_empty_profile(
    merci, marie, policy, db
):
    greeting = merci.conversation.greet(marie, policy)
    assert greeting.queued == []
    assert greeting.state == ProfileState({}, 0, None)
    assert greeting.stale is None
    assert db.count("consumers") == 0


def test_nothing_is_asked_when_every_value_is_fresh(merci, marie, policy, clock):
    save_at(merci, clock, marie, "first_name", "Marie", NOW - 23 * MONTH)
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 23 * MONTH)
    merci.conversation.start_conversation(marie)
    greeting = merci.conversation.greet(marie, policy)
    assert greeting.stale is None
    assert greeting.state.values == {"first_name": "Marie", "email": "marie@exemple.fr"}


def test_an_email_given_25_months_ago_is_checked_with_the_consumer(merci, marie, policy, clock, db):
    save_at(merci, clock, marie, "first_name", "Marie", NOW - 25 * MONTH)  # lasts 60 months
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)

    greeting = merci.conversation.greet(marie, policy)

    assert greeting.stale == StaleValue("email", "marie@exemple.fr")
    assert greeting.state.first_name == "Marie"
    assert asked_at(db, marie) == clock.now
    question = merci.context.render(
        f"utter_ask_still_right_{greeting.stale.step}",
        {"first_name": "Marie", "value": greeting.stale.value},
    )
    assert question.text == f"Votre adresse e-mail est-elle toujours marie@exemple.fr{NNBSP}?"


def test_a_stale_phone_is_asked_as_a_consumer_would_write_it(merci, marie, policy, clock):
    save_at(merci, clock, marie, "phone", "06 12 34 56 78", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)
    greeting = merci.conversation.greet(marie, policy)
    assert greeting.stale == StaleValue("phone", "06 12 34 56 78")
    question = merci.context.render("utter_ask_still_right_phone", {"value": greeting.stale.value})
    assert question.text == f"Votre numéro de téléphone est-il toujours le 06 12 34 56 78{NNBSP}?"


def test_a_stale_city_is_asked_with_its_postal_code(merci, marie, policy, clock):
    save_at(merci, clock, marie, "city", "j'habite à Lyon 69003", NOW - 13 * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, policy).stale == StaleValue("city", "Lyon (69003)")


@pytest.mark.parametrize(
    ("days_later", "asked"),
    [(0.1, False), (1, False), (6.9, False), (8, True), (30, True)],
)
def test_no_second_question_within_the_quiet_days(merci, marie, policy, clock, days_later, asked):
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, policy).stale is not None

    new_conversation(merci, clock, marie, days=days_later)
    again = merci.conversation.greet(marie, policy)

    assert again.stale == (StaleValue("email", "marie@exemple.fr") if asked else None)


def test_a_value_confirmed_by_the_consumer_is_not_asked_again(merci, marie, policy, clock, db):
    save_at(merci, clock, marie, "first_name", "Marie", NOW - 25 * MONTH)
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, policy).stale.step == "email"

    thanks = merci.freshness.confirm_profile(marie, "confirm:email:m9", step="email")

    assert thanks.reply.response == "utter_thank_value_confirmed"
    assert "votre adresse e-mail est toujours à jour" in thanks.reply.text
    assert confirmed(db) == {"first_name": None, "email": clock.now}
    for days in (8, 365):
        new_conversation(merci, clock, marie, days=days)
        assert merci.conversation.greet(marie, policy).stale is None


def test_a_value_left_unconfirmed_is_asked_again_after_the_quiet_days(merci, marie, policy, clock):
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    save_at(merci, clock, marie, "phone", "06 12 34 56 78", NOW - 26 * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, policy).stale.step == "phone"
    merci.freshness.confirm_profile(marie, "confirm:phone:m9", step="phone")

    new_conversation(merci, clock, marie, days=8)

    assert merci.conversation.greet(marie, policy).stale == StaleValue("email", "marie@exemple.fr")


@pytest.mark.parametrize(
    ("email_age", "phone_age", "first"),
    [
        (30, 26, StaleValue("email", "marie@exemple.fr")),
        (26, 30, StaleValue("phone", "06 12 34 56 78")),
    ],
)
def test_the_value_unchecked_for_the_longest_time_is_asked_first(
    merci, marie, policy, clock, email_age, phone_age, first
):
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - email_age * MONTH)
    save_at(merci, clock, marie, "phone", "06 12 34 56 78", NOW - phone_age * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, policy).stale == first


@pytest.mark.parametrize(("linked", "asked_on_facebook"), [(True, False), (False, True)])
def test_a_question_on_one_channel_silences_the_others_for_the_quiet_days(
    merci, policy, clock, linked, asked_on_facebook
):
    for who in (REST, FACEBOOK):
        save_at(merci, clock, who, "email", "marie@exemple.fr", NOW - 25 * MONTH)
        if linked:
            merci.conversation.link_external_id(who, "CLIENT-4242")
    merci.conversation.start_conversation(REST)
    assert merci.conversation.greet(REST, policy).stale is not None

    new_conversation(merci, clock, FACEBOOK, hours=3)
    on_facebook = merci.conversation.greet(FACEBOOK, policy)

    assert (on_facebook.stale is not None) is asked_on_facebook


def test_after_the_quiet_days_the_other_channel_may_ask(merci, policy, clock):
    for who in (REST, FACEBOOK):
        save_at(merci, clock, who, "email", "marie@exemple.fr", NOW - 25 * MONTH)
        merci.conversation.link_external_id(who, "CLIENT-4242")
    merci.conversation.start_conversation(REST)
    assert merci.conversation.greet(REST, policy).stale is not None

    new_conversation(merci, clock, FACEBOOK, days=8)

    assert merci.conversation.greet(FACEBOOK, policy).stale == StaleValue(
        "email", "marie@exemple.fr"
    )


def test_at_most_one_question_per_conversation_even_without_quiet_days(merci, marie, clock):
    no_quiet_days = FreshnessPolicy.uniform(months=24, quiet_days=0)
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)

    first = merci.conversation.greet(marie, no_quiet_days)
    clock.advance(minutes=5)
    second = merci.conversation.greet(marie, no_quiet_days)  # "bonjour" again, same conversation
    new_conversation(merci, clock, marie, minutes=90)
    next_conversation = merci.conversation.greet(marie, no_quiet_days)

    assert first.stale == StaleValue("email", "marie@exemple.fr")
    assert second.stale is None
    assert next_conversation.stale == StaleValue("email", "marie@exemple.fr")


def test_a_quiet_days_of_zero_in_the_policy_file_is_honoured(merci, marie, clock, tmp_path):
    path = tmp_path / "freshness.yml"
    path.write_text("default_months: 24\nquiet_days: 0\n", "utf-8")
    no_quiet_days = load_policy(path)
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(marie)
    assert merci.conversation.greet(marie, no_quiet_days).stale is not None

    new_conversation(merci, clock, marie, hours=2)  # within the real policy's 7 days

    assert merci.conversation.greet(marie, no_quiet_days).stale is not None


def test_one_question_per_conversation_even_before_any_recorded_conversation_start(
    merci, marie, clock
):
    no_quiet_days = FreshnessPolicy.uniform(months=24, quiet_days=0)
    save_at(merci, clock, marie, "email", "marie@exemple.fr", NOW - 25 * MONTH)

    assert merci.conversation.greet(marie, no_quiet_days).stale is not None
    clock.advance(minutes=5)
    assert merci.conversation.greet(marie, no_quiet_days).stale is None


# --- stale_counts (for marketers) ---------------------------------------------------------


def add_consumer(engine, sender_id: str, fields: dict[str, tuple[str, float, float | None]]):
    """A consumer with hand-made rows: field -> (value, months since update, months since
    confirmation or None)."""
    with Session(engine) as session, session.begin():
        consumer = Consumer(channel="rest", sender_id=sender_id, created_at=NOW - 60 * MONTH)
        session.add(consumer)
        session.flush()
        for field, (value, updated, confirmed_) in fields.items():
            session.add(
                ProfileField(
                    consumer_id=consumer.id,
                    field=field,
                    value=value,
                    source="chat",
                    updated_at=NOW - updated * MONTH,
                    confirmed_at=None if confirmed_ is None else NOW - confirmed_ * MONTH,
                )
            )


def test_stale_counts_gives_per_field_how_many_consumers_hold_a_stale_value(merci, policy, engine):
    add_consumer(
        engine,
        "marie",
        {
            "first_name": ("Marie", 25, None),  # fresh: 60 months
            "email": ("marie@exemple.fr", 25, None),  # stale
            "interests": ("cuisine, jardinage", 7, None),  # stale: 6 months
            "city": ("Lyon", 13, None),  # stale: 12 months
            "postal_code": ("69003", 13, None),  # stale
        },
    )
    add_consumer(
        engine,
        "paul",
        {
            "email": ("paul@exemple.fr", 30, 1),  # confirmed last month: fresh
            "interests": ("vélo", 5, None),  # fresh
            "phone": ("+33612345678", 25, 26),  # stale: confirmed before the update
        },
    )
    add_consumer(
        engine,
        "lea",
        {
            "email": ("lea@exemple.fr", 1, None),
            "interests": ("lecture", 40, 8),  # stale: confirmed 8 months ago
            "city": ("Nantes", 11, None),
            "postal_code": ("44000", 11, None),
            "birthday": ("1990-03-12", 121, None),  # stale: 120 months
            "contact_channel": ("sms", 20, 11),  # fresh: confirmed 11 months ago
        },
    )

    assert merci.freshness.stale_counts(policy) == {
        "first_name": 0,
        "email": 1,
        "phone": 1,
        "birthday": 1,
        "city": 1,
        "postal_code": 1,
        "interests": 2,
        "contact_channel": 0,
    }


@pytest.mark.parametrize("offset_seconds", [-1, 0, 1])
def test_stale_counts_and_the_question_agree_at_the_end_of_the_period(
    merci, policy, engine, offset_seconds
):
    updated = NOW - PERIOD - timedelta(seconds=offset_seconds)
    add_consumer(engine, "marie", {"email": ("marie@exemple.fr", 0, None)})
    with Session(engine) as session, session.begin():
        session.query(ProfileField).update({ProfileField.updated_at: updated})

    expected = 1 if policy.is_stale("email", updated, None, NOW) else 0
    assert merci.freshness.stale_counts(policy)["email"] == expected
    assert expected == (1 if offset_seconds > 0 else 0)


# --- who may read a stored value back -----------------------------------------------------

WIDGET = Identity(channel="socketio", sender_id="widget-session-marie")


def test_a_sender_id_chosen_over_rest_only_gets_a_masked_value(merci, policy, clock):
    save_at(merci, clock, REST, "email", "marie@exemple.fr", NOW - 25 * MONTH)
    merci.conversation.start_conversation(REST)
    greeting = merci.conversation.greet(REST, policy)
    assert greeting.stale == StaleValue("email", "m•••@exemple.fr")
    question = merci.context.render("utter_ask_still_right_email", {"value": greeting.stale.value})
    assert question.text == f"Votre adresse e-mail est-elle toujours m•••@exemple.fr{NNBSP}?"


def test_an_external_id_on_a_rest_identity_proves_nothing(merci, policy, clock):
    save_at(merci, clock, REST, "phone", "06 12 34 56 78", NOW - 25 * MONTH)
    merci.conversation.link_external_id(REST, "CLIENT-4242")
    merci.conversation.start_conversation(REST)
    assert merci.conversation.greet(REST, policy).stale == StaleValue("phone", "06 •• •• •• 78")


def test_an_anonymous_widget_session_gets_a_masked_value(merci, policy, clock):
    save_at(merci, clock, WIDGET, "city", "j'habite à Lyon 69003", NOW - 13 * MONTH)
    merci.conversation.start_conversation(WIDGET)
    assert merci.conversation.greet(WIDGET, policy).stale == StaleValue("city", "L••• (69•••)")


def test_a_widget_session_linked_by_a_signed_token_sees_its_value(merci, policy, clock):
    save_at(merci, clock, WIDGET, "city", "j'habite à Lyon 69003", NOW - 13 * MONTH)
    merci.conversation.link_external_id(WIDGET, "CLIENT-4242")
    merci.conversation.start_conversation(WIDGET)
    assert merci.conversation.greet(WIDGET, policy).stale == StaleValue("city", "Lyon (69003)")
