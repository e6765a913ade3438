"""Merci's use cases, one small service per feature over one shared :class:`Context`.

The actions, channels and processes ask :func:`get_services` for the one they need
(``get_services().reviews.save_review(...)``); tests build their own with
:func:`build_services` over an in-memory database and a clock they move by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy.engine import Engine

from bot.config import DEFAULT_PROFILE_REMINDER_HOURS, get_settings
from bot.domain.catalogue import EMPTY_CATALOGUE, Catalogue, load_catalogue
from bot.domain.congratulations import CongratulationTable, load_table
from bot.domain.freshness import FreshnessPolicy, load_policy
from bot.domain.privacy import PrivacyPolicy, load_privacy
from bot.domain.wording import Variant, load_responses
from bot.services.base import Context, Identity, StorageError
from bot.services.brand_events import BrandEventService
from bot.services.conversation import ConversationService
from bot.services.delivery import DeliveryService
from bot.services.freshness import FreshnessService
from bot.services.nudges import NudgeService
from bot.services.privacy import PrivacyService
from bot.services.profile import ProfileService
from bot.services.reviews import ReviewService
from bot.storage.engine import get_engine
from bot.storage.models import utcnow

__all__ = ["Identity", "Services", "StorageError", "build_services", "get_services"]


@dataclass(frozen=True)
class Services:
    context: Context
    profile: ProfileService
    reviews: ReviewService
    freshness: FreshnessService
    conversation: ConversationService
    delivery: DeliveryService
    brand_events: BrandEventService
    nudges: NudgeService
    privacy: PrivacyService
    # The brand's products (data/products.yml); empty: product names are taken as typed.
    catalogue: Catalogue = EMPTY_CATALOGUE


def build_services(
    engine: Engine,
    table: CongratulationTable,
    responses: dict[str, tuple[Variant, ...]],
    clock: Callable[[], datetime] = utcnow,
    freshness: FreshnessPolicy | None = None,
    reminder_delay: timedelta = timedelta(hours=DEFAULT_PROFILE_REMINDER_HOURS),
    privacy: PrivacyPolicy | None = None,
    catalogue: Catalogue = EMPTY_CATALOGUE,
) -> Services:
    context = Context(engine, table, responses, clock)
    profile = ProfileService(context, reminder_delay, privacy)
    reviews = ReviewService(context)
    fresh = FreshnessService(context, freshness or FreshnessPolicy.uniform())
    return Services(
        context=context,
        profile=profile,
        reviews=reviews,
        freshness=fresh,
        conversation=ConversationService(context, fresh),
        delivery=DeliveryService(context),
        brand_events=BrandEventService(context, profile, reviews),
        nudges=NudgeService(context),
        privacy=PrivacyService(context, privacy),
        catalogue=catalogue,
    )


def content_version() -> tuple[int, ...]:
    """When the content files the services read last changed (a publish changes them)."""
    settings = get_settings()
    paths = (
        settings.domain_path,
        settings.congratulations_path,
        settings.freshness_path,
        settings.privacy_path,
        settings.catalogue_path,
    )
    # A release is a link to a new directory: its target names the version too.
    return tuple(path.stat().st_mtime_ns if path.exists() else 0 for path in paths) + (
        hash(os.path.realpath(settings.domain_path)),
    )


def get_services() -> Services:
    """The services wired to the configured database, domain, table, freshness policy and
    product catalogue; wired again when a content file changed, so a published wording is
    used at once."""
    return wired_services(content_version())


@lru_cache(maxsize=1)
def wired_services(_version: tuple[int, ...]) -> Services:
    settings = get_settings()
    responses = load_responses(settings.domain_path)
    return build_services(
        get_engine(),
        load_table(settings.congratulations_path, responses),
        responses,
        freshness=load_policy(settings.freshness_path),
        reminder_delay=timedelta(hours=settings.profile_reminder_hours),
        privacy=load_privacy(settings.privacy_path),
        catalogue=load_catalogue(settings.catalogue_path),
    )
