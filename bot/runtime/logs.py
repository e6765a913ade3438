"""``MERCI_LOG_LEVEL`` applied the same way in every process Merci starts.

Merci's own processes (the command line, the nudge scheduler) call
:func:`configure_logging`; the Rasa server and the action server configure logging
themselves, so the runner hands them the level in their environment
(:func:`server_log_environment`).
"""

from __future__ import annotations

import logging

from bot.config import Settings

FORMAT = "%(asctime)s %(name)s %(message)s"
# The level applies to Merci's code; libraries keep Python's default (WARNING) so that a
# chatty dependency does not drown it at INFO.
MERCI_LOGGERS = ("bot", "actions")


def configure_logging(settings: Settings) -> None:
    """Log Merci's records at ``settings.log_level`` and above to stderr, with a timestamp."""
    logging.basicConfig(format=FORMAT)
    for name in MERCI_LOGGERS:
        logging.getLogger(name).setLevel(settings.log_level)


def server_log_environment(settings: Settings) -> dict[str, str]:
    """Environment variables that give the Rasa server and the action server the level.

    ``rasa run`` reads ``LOG_LEVEL`` (its ``-v``/``--quiet`` flags cannot say ERROR);
    ``rasa run actions`` passes no level to rasa_sdk, whose root handler (coloredlogs) then
    reads ``COLOREDLOGS_LOG_LEVEL``.
    """
    return {"LOG_LEVEL": settings.log_level, "COLOREDLOGS_LOG_LEVEL": settings.log_level}
