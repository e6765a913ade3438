"""``python -m bot.channels.rasa_server run ...``: Rasa's command line, with Merci's
apology when an action fails (:mod:`bot.channels.action_guard`)."""

from __future__ import annotations

from rasa.__main__ import main as rasa_main

from bot.channels.action_guard import install


def main() -> None:
    install()
    rasa_main()


if __name__ == "__main__":
    main()
