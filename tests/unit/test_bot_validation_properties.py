"""Property: every form-value parser turns any string into a value or an InvalidValue."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import validation
from bot.domain.validation import InvalidValue, Parsed

# Whatever a consumer can type: control characters and NUL, emoji, mixed scripts, and
# pieces of the values the parsers look for, so that near-misses are exercised too.
PIECES = st.sampled_from(
    ["@", ".", "-", "/", " ", "\u00a0", "\u2019", "'", "1er", "janvier", "69003", "Lyon",
     "+33", "06", "12", "2000", "marie", "exemple.fr", "★", "⭐", "sur 5", "étoiles", "et",
     ",", "\x00", "\u200b", "😀", "Ⅻ", "٣", "१२"]
)  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join),
    st.builds(lambda piece, n: piece * n, PIECES, st.integers(1, 10_000 // 4)),
)
BOUNDED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PARSERS = sorted(validation.PARSERS.items())


@pytest.mark.parametrize(("field", "parse"), PARSERS, ids=[f for f, _ in PARSERS])
@BOUNDED
@given(text=TEXT)
def test_a_form_parser_returns_a_normalized_value_or_invalid_value(field, parse, text):
    try:
        parsed = parse(text, today=date(2026, 11, 25)) if field == "birthday" else parse(text)
    except InvalidValue as invalid:
        assert invalid.field == field
        return
    assert isinstance(parsed, Parsed)
    assert parsed.values and all(isinstance(v, str) and v for v in parsed.values.values())
    assert "\x00" not in "".join(parsed.values.values())


@BOUNDED
@given(text=TEXT)
def test_the_rating_parser_returns_1_to_5_or_invalid_value(text):
    try:
        assert validation.parse_rating(text) in {1, 2, 3, 4, 5}
    except InvalidValue as invalid:
        assert invalid.field == "rating"


@BOUNDED
@given(text=TEXT)
def test_the_stop_phrase_check_answers_yes_or_no(text):
    assert validation.is_stop_phrase(text) in {True, False}
