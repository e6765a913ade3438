"""Test plumbing: forget the cached settings, engine and services, as a new process would."""

from __future__ import annotations

import bot.config
import bot.services
import bot.storage.engine


def reset_wiring() -> None:
    """Dispose of the cached engine and clear every cache built from the environment."""
    if bot.storage.engine.get_engine.cache_info().currsize:
        bot.storage.engine.get_engine().dispose()
    bot.config.get_settings.cache_clear()
    bot.storage.engine.get_engine.cache_clear()
    bot.services.wired_services.cache_clear()
