"""``python -m bot demo-data``: realistic, reproducible, and it only ever replaces itself."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.__main__ import main
from bot.config import PROJECT_ROOT
from bot.domain.congratulations import NO_PRAISE, load_table
from bot.domain.validation import parse_email, parse_phone
from bot.domain.wording import load_responses
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Consumer, utcnow
from bot.tools.demo_data import generate

NOW = datetime(2026, 11, 25)
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def wording():
    responses = load_responses(PROJECT_ROOT / "domain.yml")
    return load_table(PROJECT_ROOT / "data" / "congratulations.yml", responses), responses


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = build_engine(url)
    yield engine
    engine.dispose()


def rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as db:
        return [tuple(row) for row in db.execute(text(sql))]


def test_the_same_seed_gives_the_same_data(tmp_path, wording):
    dumps = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        upgrade(url)
        engine = build_engine(url)
        generate(engine, *wording, consumers=200, seed=7, now=NOW)
        dumps.append(
            rows(
                engine,
                "SELECT consumer_id, field, value, updated_at FROM profile_fields ORDER BY id",
            )
        )
        engine.dispose()
    assert dumps[0] == dumps[1] and len(dumps[0]) > 200


def test_running_it_again_replaces_the_demo_data_and_keeps_real_consumers(engine, wording):
    with Session(engine) as session, session.begin():
        session.add(Consumer(channel="rest", sender_id="marie", created_at=utcnow()))
    generate(engine, *wording, consumers=300, now=NOW)
    counts = generate(engine, *wording, consumers=300, now=NOW)
    assert rows(engine, "SELECT COUNT(*) FROM consumers") == [(301,)]
    assert rows(engine, "SELECT sender_id FROM consumers WHERE sender_id NOT LIKE 'demo-%'") == [
        ("marie",)
    ]
    assert rows(engine, "SELECT COUNT(*) FROM profile_fields") == [(counts.fields,)]
    assert rows(engine, "SELECT COUNT(*) FROM acknowledgements") == [(counts.thanks,)]


def test_the_data_looks_like_real_consumers(engine, wording):
    generate(engine, *wording, consumers=3000, now=NOW)
    channels = dict(rows(engine, "SELECT channel, COUNT(*) FROM consumers GROUP BY channel"))
    assert set(channels) == {"rest", "socketio", "facebook"}
    ratings = dict(rows(engine, "SELECT rating, COUNT(*) FROM reviews GROUP BY rating"))
    # J-shaped, as real reviews are: 5 stars first, then 4, and more 1s than 2s.
    assert ratings[5] > ratings[4] > ratings[3] and ratings[1] > ratings[2]
    by_field = Counter(
        dict(rows(engine, "SELECT field, COUNT(*) FROM profile_fields GROUP BY field"))
    )
    assert by_field["first_name"] > by_field["contact_channel"] > 0  # people stop along the way
    complete = rows(engine, "SELECT COUNT(*) FROM (SELECT consumer_id FROM profile_fields "
                            "GROUP BY consumer_id HAVING COUNT(*) = 8)")[0][0]  # fmt: skip
    assert 0.1 * 3000 < complete < 0.6 * 3000
    assert (
        rows(engine, "SELECT COUNT(*) FROM profile_fields WHERE confirmed_at IS NOT NULL")[0][0] > 0
    )
    latest = rows(engine, "SELECT MAX(updated_at) FROM profile_fields")[0][0]
    assert latest < str(NOW)


def test_values_are_the_ones_merci_would_have_stored(engine, wording):
    generate(engine, *wording, consumers=200, now=NOW)
    for (email,) in rows(engine, "SELECT value FROM profile_fields WHERE field = 'email'"):
        assert parse_email(email).values["email"] == email
    for (phone,) in rows(engine, "SELECT value FROM profile_fields WHERE field = 'phone'"):
        assert parse_phone(phone).values["phone"] == phone


def test_thanks_are_real_sentences_and_never_praise_a_disappointed_consumer(engine, wording):
    generate(engine, *wording, consumers=1000, now=NOW)
    thanks = rows(
        engine,
        "SELECT a.text, r.rating FROM acknowledgements a LEFT JOIN reviews r "
        "ON r.consumer_id = a.consumer_id AND r.event_key = a.event_key",
    )
    assert thanks and all("{" not in said for said, _ in thanks)
    low = [said for said, rating in thanks if rating in (1, 2)]
    assert low and not any(NO_PRAISE.search(said) for said in low)


def test_a_database_error_gets_one_clear_line_and_changes_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    upgrade(url)
    engine = build_engine(url)
    with Session(engine) as session, session.begin():
        session.add(Consumer(channel="rest", sender_id="marie", created_at=utcnow()))
        session.execute(text("DROP TABLE reviews"))  # migrated as far as Alembic knows, yet broken
    status = main(["demo-data", "--consumers", "200", "--database-url", url])
    assert status == 1
    err = capsys.readouterr().err
    assert err == (
        f"La base de données est inaccessible ou incomplète{NBSP}: les données de démonstration "
        "n'ont pas changé. Vérifiez DATABASE_URL (ou --database-url) et que make migrate a "
        "réussi.\n"
    )
    assert rows(engine, "SELECT sender_id FROM consumers") == [("marie",)]
    engine.dispose()


def test_a_real_consumer_called_demo_marie_keeps_every_row(tmp_path, capsys):
    from bot.storage.models import Acknowledgement, ProfileField, Review
    from bot.tools.demo_data import run_demo_data

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = build_engine(url)
    with Session(engine) as session, session.begin():
        marie = Consumer(channel="rest", sender_id="demo-marie", created_at=NOW)
        # Also the very sender ids the generator gives, chosen first by real consumers.
        session.add_all([marie] + [
            Consumer(channel=channel, sender_id="demo-0000001", created_at=NOW)
            for channel in ("rest", "socketio", "facebook")
        ])  # fmt: skip
        session.flush()
        session.add_all([
            ProfileField(consumer_id=marie.id, field="city", value="Lyon", source="chat",
                         updated_at=NOW),
            Review(consumer_id=marie.id, event_key="r1", rating=5, text="Parfait.",
                   channel="rest", created_at=NOW),
            Acknowledgement(consumer_id=marie.id, event_key="r1", kind="review",
                            response="utter_thank_first_review_5", variant=0, text="Merci !",
                            created_at=NOW),
        ])  # fmt: skip
    real = (
        "SELECT c.sender_id, c.channel, p.value, r.text, a.text FROM consumers c "
        "LEFT JOIN profile_fields p ON p.consumer_id = c.id "
        "LEFT JOIN reviews r ON r.consumer_id = c.id "
        "LEFT JOIN acknowledgements a ON a.consumer_id = c.id "
        "WHERE NOT c.is_demo ORDER BY c.id"
    )
    before = rows(engine, real)
    for _ in range(2):
        assert run_demo_data(200, seed=2026, now=NOW, database_url=url) == 0
    assert rows(engine, real) == before and len(before) == 4
    assert rows(engine, "SELECT COUNT(*) FROM consumers WHERE is_demo") == [(200,)]
    assert rows(engine, "SELECT COUNT(*) FROM consumers") == [(204,)]
    engine.dispose()
