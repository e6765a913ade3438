"""Profile completeness, what is left to ask, and the milestones worth a "Bravo"."""

from __future__ import annotations

import pytest

from bot.domain.profile import completeness, crossed_milestone, missing_steps

EVERY_FIELD = [
    "first_name",
    "email",
    "phone",
    "birthday",
    "city",
    "postal_code",
    "interests",
    "contact_channel",
]
MILESTONES = (50, 80, 100)


@pytest.mark.parametrize(
    ("filled", "percent"),
    [
        ([], 0),
        (["first_name"], 12),  # 1 of 8 = 12.5, rounded down
        (["first_name", "email"], 25),
        (["first_name", "email", "phone"], 37),
        (["first_name", "email", "phone", "birthday"], 50),
        (EVERY_FIELD[:7], 87),
        (EVERY_FIELD, 100),
    ],
)
def test_completeness_is_the_share_of_the_8_profile_fields_rounded_down(filled, percent):
    assert completeness(filled) == percent


def test_completeness_reaches_100_only_when_every_field_is_filled():
    assert completeness(EVERY_FIELD[:-1]) < 100
    assert completeness(EVERY_FIELD) == 100


def test_unknown_or_repeated_fields_do_not_count():
    assert completeness(["first_name", "first_name", "nickname", "shoe_size"]) == 12


def test_an_empty_profile_asks_every_step_in_the_form_order():
    assert missing_steps([]) == [
        "first_name",
        "email",
        "phone",
        "birthday",
        "city",
        "interests",
        "contact_channel",
    ]


def test_filled_steps_are_not_asked_again():
    assert missing_steps(["first_name", "phone", "interests"]) == [
        "email",
        "birthday",
        "city",
        "contact_channel",
    ]


def test_the_city_step_is_asked_until_both_the_city_and_its_postal_code_are_known():
    assert "city" in missing_steps(["city"])
    assert "city" in missing_steps(["postal_code"])
    assert "city" not in missing_steps(["city", "postal_code"])


def test_steps_skipped_in_this_conversation_are_left_out_and_the_order_is_kept():
    assert missing_steps(["first_name"], skipped=["phone", "city"]) == [
        "email",
        "birthday",
        "interests",
        "contact_channel",
    ]


def test_a_complete_profile_has_nothing_left_to_ask():
    assert missing_steps(EVERY_FIELD) == []


@pytest.mark.parametrize(
    ("before", "after", "milestone"),
    [
        (37, 50, 50),  # reaching 50 exactly counts
        (37, 62, 50),
        (75, 87, 80),
        (87, 100, 100),
        (37, 87, 80),  # two milestones at once: the highest
        (25, 100, 100),  # three at once
    ],
)
def test_crossing_a_milestone_names_the_highest_one_passed(before, after, milestone):
    assert crossed_milestone(before, after, MILESTONES) == milestone


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (12, 25),  # below the first milestone
        (50, 62),  # already at 50 before
        (62, 75),
        (100, 100),  # saving again on a complete profile
        (62, 62),
    ],
)
def test_no_milestone_when_none_is_crossed(before, after):
    assert crossed_milestone(before, after, MILESTONES) is None
