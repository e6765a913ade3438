"""Privacy against a real SQLite database: who sees what, what erasure leaves, what the
retention periods purge, consent and contact. The clock is moved by hand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bot.domain.privacy import PrivacyPolicy, load_privacy
from bot.domain.validation import PARSERS
from bot.services import Identity, build_services
from bot.services.profile import ConsentRefused

RASA_EVENTS = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
    "action_name VARCHAR(255), data TEXT)"
)
FB = Identity("facebook", "psid-marie")
WEB = Identity("socketio", "widget-marie")
PAUL = Identity("rest", "paul")


def said(db, sender: str, message: str, at: datetime) -> None:
    """What Rasa's tracker store keeps of a message."""
    epoch = (at - datetime(1970, 1, 1)).total_seconds()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"
            ),
            {"s": sender, "t": epoch, "d": json.dumps({"event": "user", "text": message})},
        )


def everywhere(db, needle: str) -> int:
    """Rows of any table holding ``needle`` in any column."""
    total = 0
    for (table,) in db.rows("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in db.rows(f'PRAGMA table_info("{table}")'):
            total += db.rows(
                f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column[1]}" AS TEXT) LIKE :p',
                p=f"%{needle}%",
            )[0][0]
    return total


def give(service, who: Identity, step: str, text: str, key: str) -> None:
    service.privacy.record_consent(who, "personal_data", True)
    service.profile.save_profile_step(who, step, PARSERS[step](text), key)


@pytest.fixture
def marie_twice(service, db, clock):
    """Marie on Messenger and on the widget (linked to CRM-7), Paul on REST."""
    db.execute(RASA_EVENTS)
    give(service, FB, "first_name", "Marie", "m1")
    give(service, WEB, "email", "marie.secret@exemple.fr", "m2")
    service.conversation.link_external_id(FB, "CRM-7")
    service.conversation.link_external_id(WEB, "CRM-7")
    service.reviews.save_review(WEB, 5, "Une crème divine", "Crème", "r1")
    give(service, PAUL, "first_name", "Paul", "p1")
    said(db, FB.sender_id, "je m'appelle Marie", clock())
    said(db, WEB.sender_id, "marie.secret@exemple.fr", clock())
    said(db, PAUL.sender_id, "Paul", clock())


def test_a_proven_identity_erases_every_identity_sharing_its_external_id(service, db, marie_twice):
    assert everywhere(db, "Marie") > 0 and everywhere(db, "marie.secret") > 0

    erased = service.privacy.erase(FB)

    assert erased.identities == 2
    assert (everywhere(db, "Marie"), everywhere(db, "marie.secret"), everywhere(db, "divine")) == (
        0, 0, 0,
    )  # fmt: skip
    assert everywhere(db, "CRM-7") == 0
    assert db.rows("SELECT requested_via, identities, consents_withdrawn FROM erasures") == [
        ("chat", 2, 2)
    ]
    assert everywhere(db, "Paul") > 0, "another consumer keeps everything"
    assert service.privacy.erase(FB).identities == 0, "a second request finds nothing"


def test_an_unproven_session_erases_only_its_own_identity(service, db, marie_twice):
    assert service.privacy.erase(PAUL).identities == 1
    assert everywhere(db, "Paul") == 0
    assert everywhere(db, "Marie") > 0


def test_reviews_are_kept_as_anonymous_text_only_when_the_policy_says_so(
    engine, table, responses, clock, db, marie_twice
):
    keep = PrivacyPolicy("1", True, PrivacyPolicy.default().retention)
    service = build_services(engine, table, responses, clock=clock, privacy=keep)
    service.privacy.erase(WEB)
    assert db.rows("SELECT rating, text, product FROM anonymous_reviews") == [
        (5, "Une crème divine", "Crème")
    ]
    assert everywhere(db, "marie.secret") == 0


def test_the_owner_sees_everything_an_unproven_session_only_this_conversation(service, clock, db):
    give(service, PAUL, "first_name", "Paul", "p1")
    clock.advance(days=2)
    service.conversation.start_conversation(PAUL)
    clock.advance(minutes=1)
    service.profile.save_profile_step(PAUL, "email", PARSERS["email"]("paul@exemple.fr"), "p2")

    unproven = service.privacy.my_data(PAUL)
    assert not unproven.proven
    assert [(f, v) for f, v, _ in unproven.fields] == [("email", "paul@exemple.fr")]

    give(service, FB, "first_name", "Marie", "m1")
    service.reviews.save_review(FB, 4, "Bien", None, "r1")
    proven = service.privacy.my_data(FB)
    assert proven.proven and [(f, v) for f, v, _ in proven.fields] == [("first_name", "Marie")]
    assert proven.review_count == 1
    assert [(p, g) for p, g, _ in proven.consents] == [("personal_data", True)]


def test_a_refusal_stores_nothing_personal_and_reviews_are_thanked_without_a_name(service, db):
    service.privacy.record_consent(PAUL, "personal_data", True)
    service.profile.save_profile_step(PAUL, "first_name", PARSERS["first_name"]("Paul"), "p1")
    service.privacy.record_consent(PAUL, "personal_data", False)
    with pytest.raises(ConsentRefused):
        service.profile.save_profile_step(PAUL, "email", PARSERS["email"]("p@exemple.fr"), "p2")
    assert everywhere(db, "p@exemple.fr") == 0
    for key in ("r1", "r2", "r3", "r4"):
        thanks = service.reviews.save_review(PAUL, 5, "Top", None, key)
        assert "Paul" not in thanks.reply.text


def test_withdrawing_contact_cancels_reminders_and_plans_no_more(service, db, clock):
    give(service, PAUL, "contact_channel", "par SMS", "p1")
    assert service.profile.pause_profile(PAUL, "first_name") is True
    assert service.privacy.withdraw_contact(PAUL) == 1
    assert db.rows("SELECT COUNT(*) FROM nudges WHERE cancelled_at IS NULL") == [(0,)]
    assert service.profile.pause_profile(PAUL, "first_name") is False
    assert db.rows("SELECT purpose, granted, channel FROM consents ORDER BY id")[-1] == (
        "marketing_contact", 0, "rest",
    )  # fmt: skip


def test_purge_applies_each_retention_period(service, db, clock, marie_twice):
    policy = service.privacy.policy.retention
    old = clock() - policy["conversations"] - timedelta(days=1)
    said(db, PAUL.sender_id, "un vieux message", old)
    db.execute(
        "INSERT INTO brand_events (event_id, type, consumer_id, payload, occurred_at, "
        "received_at) SELECT 'evt-old', 'review.published', id, '{\"x\": \"ancien\"}', "
        f"'{old}', '{old}' FROM consumers WHERE sender_id = 'paul'"
    )
    clock.advance(days=policy["inactive_profiles"].days - 10)
    service.conversation.start_conversation(PAUL)  # Paul is still active, Marie is not
    clock.advance(days=11)

    purged = service.privacy.purge()

    assert everywhere(db, "un vieux message") == 0 and everywhere(db, "ancien") == 0
    assert purged.inactive_consumers == 2
    assert everywhere(db, "Marie") == 0 and everywhere(db, "Paul") > 0
    assert db.rows("SELECT requested_via FROM erasures") == [("retention",)]


def test_the_real_privacy_file_is_valid():
    from bot.config import PROJECT_ROOT

    policy = load_privacy(PROJECT_ROOT / "data" / "privacy.yml")
    assert policy.consent_version and policy.keep_anonymous_reviews is False
    assert policy.retention["inactive_profiles"] > policy.retention["conversations"]
