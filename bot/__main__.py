"""``python -m bot <command>``: the command line lives in :mod:`bot.tools.cli`."""

from bot.tools.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
