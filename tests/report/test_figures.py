"""The report's figures on the hand-made database of conftest.py: exact numbers."""

from __future__ import annotations

import pytest
from report_db import POLICY, SINCE, UNTIL

from bot.domain.profile import PROFILE_FIELDS
from bot.tools.invisible_work.assumptions import ReportAssumptions
from bot.tools.invisible_work.figures import compute

ASSUMPTIONS = ReportAssumptions(
    seconds_per_field=20, seconds_per_confirmation=3, seconds_per_review=90, hourly_rate=25
)


@pytest.fixture
def figures(engine):
    return compute(engine, POLICY, ASSUMPTIONS, SINCE, UNTIL)


def test_consumers_and_complete_profiles(figures):
    assert (figures.consumers, figures.new_consumers) == (4, 1)  # Paul is new in 2026
    assert (figures.complete_profiles, figures.profiles_completed) == (1, 1)  # Marie


def test_fields_entered_in_the_period_by_field_and_channel(figures):
    assert figures.entered == {
        **{(field, "socketio"): 1 for field in PROFILE_FIELDS},  # Marie, in February
        ("first_name", "facebook"): 1,  # Paul
        ("email", "facebook"): 1,
    }  # Léa's 2025 fields and Jean's 2024 interests are outside the period
    assert figures.fields_entered == 10
    assert figures.entered_by_channel() == {"socketio": 8, "facebook": 2}


def test_fields_confirmed_in_the_period(figures):
    assert figures.confirmed == {
        **{(field, "socketio"): 1 for field in PROFILE_FIELDS if field != "interests"},
        ("interests", "socketio"): 2,  # Marie's and Jean's
    }
    assert figures.fields_confirmed == 9


def test_reviews_by_rating_and_band(figures):
    assert figures.reviews == {(5, "facebook"): 1, (2, "facebook"): 1, (3, "rest"): 1}
    assert figures.reviews_by_rating() == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    assert figures.reviews_by_band() == {"low": 1, "middle": 1, "high": 1}
    assert (figures.improvements, figures.followups) == (1, 1)


def test_reviews_by_product_of_the_catalogue_in_the_period(figures):
    assert figures.reviews_by_product() == [
        ("creme-de-jour", "Crème de jour", 2),  # Paul's and Léa's 2026 reviews, not 2025's
        ("baume-levres", "Baume à lèvres", 1),
    ]


def test_thanks_by_response(figures):
    assert figures.thanks == {
        ("field_saved", "utter_thank_field_saved"): 2,
        ("field_saved", "utter_congratulate_profile_complete"): 1,
        ("review", "utter_thank_first_review_5"): 1,
    }  # Léa's 2025 thanks are outside the period
    assert figures.thanks_sent == 4
    assert list(figures.thanks_by_response())[0] == "utter_thank_field_saved"


def test_freshness_of_the_base_at_the_end_of_the_period(figures):
    assert figures.fresh == {
        "first_name": (2, 2),
        "email": (3, 3),  # Léa's e-mail is 18 months old, the policy allows 24
        "phone": (1, 1),
        "birthday": (1, 1),
        "city": (1, 2),  # Léa's city is 18 months old, the policy allows 12
        "postal_code": (1, 2),
        "interests": (2, 2),  # Jean's are from 2024, but he confirmed them in September
        "contact_channel": (1, 1),
    }
    assert figures.freshness_share == pytest.approx(12 / 14)


def test_time_spent_and_what_it_would_have_cost(figures):
    # 10 fields x 20 s + 9 confirmations x 3 s + 3 reviews x 90 s
    assert figures.seconds_spent == 497
    assert figures.hours_spent == pytest.approx(497 / 3600)
    assert figures.equivalent_cost == pytest.approx(497 / 3600 * 25)


def test_without_a_start_date_everything_until_the_end_counts(engine):
    figures = compute(engine, POLICY, ASSUMPTIONS, None, UNTIL)
    assert figures.new_consumers == figures.consumers == 4
    assert figures.fields_entered == 14  # with Léa's three fields and Jean's interests
    assert figures.review_count == 4
    assert figures.thanks_sent == 5


def test_an_empty_database_gives_zeros_not_errors(tmp_path):
    from bot.storage.engine import build_engine
    from bot.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    figures = compute(build_engine(url), POLICY, ASSUMPTIONS, SINCE, UNTIL)
    assert (figures.consumers, figures.fields_entered, figures.review_count) == (0, 0, 0)
    assert figures.freshness_share is None
    assert figures.equivalent_cost == 0
