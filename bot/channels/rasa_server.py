"""``python -m bot.channels.rasa_server run ...``: Rasa's command line, with Merci's
apology when an action fails (:mod:`bot.channels.action_guard`), action responses checked
with a schema validator built once (:mod:`bot.channels.action_results`), and the API token read
from the settings (``RASA_API_TOKEN``) rather than from a command line that ``ps`` shows."""

from __future__ import annotations

import sys

from rasa.__main__ import main as rasa_main

from bot.channels import action_results, in_process_actions
from bot.channels.action_guard import install
from bot.config import get_settings


def with_api_token(argv: list[str], token: str | None) -> list[str]:
    """``argv`` with ``--auth-token`` added in this process only, when the API is enabled.

    The API is never enabled without a token: ``--enable-api`` without one is refused.
    """
    if "--enable-api" not in argv or any(a.split("=")[0] == "--auth-token" for a in argv):
        return argv
    if not token:
        raise SystemExit("Rasa's HTTP API is only enabled with RASA_API_TOKEN set.")
    # One argument with "=": a token that starts with "-" (token_urlsafe makes one in 64)
    # would otherwise be read as an option, and Rasa would refuse to start.
    return [*argv, f"--auth-token={token}"]


def main() -> None:
    install()
    action_results.install()
    if get_settings().actions == in_process_actions.IN_PROCESS:
        in_process_actions.install()
    sys.argv = with_api_token(sys.argv, get_settings().rasa_api_token)
    rasa_main()


if __name__ == "__main__":
    main()
