"""The values the check allows in a thank-you are the values the service really fills.

``bot/tools/content/responses.py`` lists them by event; if the service starts passing other
values (or stops passing one), these tests say so before a marketer is misled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import bot.services
import bot.services.base
from bot.config import PROJECT_ROOT
from bot.domain.congratulations import load_table
from bot.domain.validation import Parsed
from bot.domain.wording import load_responses
from bot.services import Identity, Services, build_services
from bot.storage.engine import build_engine
from bot.storage.models import metadata
from bot.tools.content.responses import EVENT_VALUES

MARIE = Identity("socketio", "conversation-marie")


@pytest.fixture
def rendered(monkeypatch) -> list[dict[str, Any]]:
    """The values of every response the service renders, in order."""
    seen: list[dict[str, Any]] = []
    real_render = bot.services.base.render

    def spy(response, variant, values):
        seen.append(dict(values))
        return real_render(response, variant, values)

    monkeypatch.setattr(bot.services.base, "render", spy)
    return seen


@pytest.fixture
def service() -> Services:
    engine = build_engine("sqlite://")
    metadata.create_all(engine)
    responses = load_responses(PROJECT_ROOT / "domain.yml")
    table = load_table(PROJECT_ROOT / "data" / "congratulations.yml", responses)
    return build_services(engine, table, responses, clock=lambda: datetime(2026, 11, 25, 10, 30))


def known(values: dict[str, Any]) -> set[str]:
    return {name for name, value in values.items() if value not in (None, "")}


def test_a_saved_field_is_thanked_with_the_values_the_check_allows(service, rendered):
    service.profile.save_profile_step(MARIE, "email", Parsed({"email": "marie@exemple.fr"}), "e1")
    service.profile.save_profile_step(MARIE, "first_name", Parsed({"first_name": "Marie"}), "e2")
    allowed = EVENT_VALUES["field_saved"]
    for values in rendered:
        assert set(values) == allowed.names
        assert allowed.always <= known(values)
    assert "first_name" not in known(rendered[0]) and "first_name" in known(rendered[1])


def test_a_confirmation_is_thanked_with_the_values_the_check_allows(service, rendered):
    service.profile.save_profile_step(MARIE, "email", Parsed({"email": "marie@exemple.fr"}), "e1")
    service.freshness.confirm_profile(MARIE, "c1")
    values = rendered[-1]
    allowed = EVENT_VALUES["data_confirmed"]
    assert set(values) <= allowed.names
    assert allowed.always <= known(values)


def test_a_review_is_thanked_with_the_values_the_check_allows(service, rendered):
    service.reviews.save_review(MARIE, 5, "Très bonne crème", None, "r1")
    service.reviews.save_review(MARIE, 4, "Toujours bien", "Crème de jour", "r2")
    allowed = EVENT_VALUES["review"]
    for values in rendered:
        assert set(values) == allowed.names
        assert allowed.always <= known(values)
    assert "product" not in known(rendered[0]) and known(rendered[1]) >= {"product"}
