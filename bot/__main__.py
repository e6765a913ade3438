"""Merci's command line: ``python -m bot <command>``."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import PROJECT_ROOT


def cmd_migrate(_: argparse.Namespace) -> int:
    from bot.migrate import upgrade

    upgrade()
    print("Database schema is up to date.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Merci's content checks (the congratulation table included), then Rasa's."""
    from bot.config import get_settings
    from bot.content import ContentPaths, check_and_print

    if args.root is None:
        settings = get_settings()
        domain, table = settings.domain_path, settings.congratulations_path
        paths = ContentPaths.under(PROJECT_ROOT, domain, table)
    else:
        paths = ContentPaths.under(Path(args.root).resolve())
    return check_and_print(paths, with_rasa=args.rasa)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    return run(Path(args.model), args.port, args.action_port)


def cmd_shell(args: argparse.Namespace) -> int:
    from bot.runner import shell

    return shell(Path(args.model), args.action_port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        func=cmd_migrate
    )
    check = commands.add_parser(
        "check", help="check the content marketers edit, then rasa data validate"
    )
    check.add_argument("--root", help="check a copy of the project in this folder")
    check.add_argument(
        "--no-rasa", dest="rasa", action="store_false", help="skip rasa data validate (10 s)"
    )
    check.set_defaults(func=cmd_check)
    run = commands.add_parser("run", help="start the action server and the Rasa server")
    run.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--action-port", type=int, default=5055)
    run.set_defaults(func=cmd_run)
    shell = commands.add_parser("shell", help="talk to Merci in the terminal")
    shell.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    shell.add_argument("--action-port", type=int, default=5055)
    shell.set_defaults(func=cmd_shell)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
