"""Merci's command line, run as ``python -m bot <command>``."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, get_settings
from bot.domain.typography import NBSP
from bot.runtime.logs import configure_logging


def cmd_migrate(_: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade

    upgrade()
    print("Database schema is up to date.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Merci's content checks (the congratulation table included), then Rasa's."""
    from bot.config import get_settings
    from bot.tools.content import ContentPaths, check_and_print

    if args.root is None:
        settings = get_settings()
        domain, table = settings.domain_path, settings.congratulations_path
        paths = ContentPaths.under(PROJECT_ROOT, domain, table)
    else:
        paths = ContentPaths.under(Path(args.root).resolve())
    return check_and_print(paths, with_rasa=args.rasa)


def _database_failed(consequence: str) -> int:
    """One line instead of a traceback; the database's own message may quote stored values."""
    print(
        f"La base de données est inaccessible ou incomplète{NBSP}: {consequence}. Vérifiez "
        "DATABASE_URL (ou --database-url) et que make migrate a réussi.",
        file=sys.stderr,
    )
    return 1


def cmd_report(args: argparse.Namespace) -> int:
    from bot.storage.unit_of_work import StorageError
    from bot.tools.invisible_work import run_report

    try:
        return run_report(
            Path(args.out),
            since=args.since,
            until=args.until,
            database_url=args.database_url,
            seconds_per_field=args.seconds_per_field,
            seconds_per_confirmation=args.seconds_per_confirmation,
            seconds_per_review=args.seconds_per_review,
            hourly_rate=args.hourly_rate,
        )
    except StorageError:
        return _database_failed("aucun rapport n'a été écrit")


def cmd_demo_data(args: argparse.Namespace) -> int:
    from bot.storage.unit_of_work import StorageError
    from bot.tools.demo_data import run_demo_data

    now = datetime.combine(args.now, datetime.min.time()) if args.now else None
    try:
        return run_demo_data(args.consumers, args.seed, now, args.database_url)
    except StorageError:
        return _database_failed("les données de démonstration n'ont pas changé")


def cmd_nlu_report(args: argparse.Namespace) -> int:
    from bot.tools.nlu_quality import run_nlu_report

    return run_nlu_report(
        PROJECT_ROOT,
        Path(args.model).resolve(),
        Path(args.test_file).resolve(),
        Path(args.out).resolve(),
        cross_validation=args.cross_validation,
        folds=args.folds,
    )


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runtime.runner import run

    return run(Path(args.model), args.port, args.action_port)


def cmd_run_scaled(args: argparse.Namespace) -> int:
    from bot.runtime.scaled import run_scaled

    return run_scaled(Path(args.model), args.port)


def cmd_endpoints(args: argparse.Namespace) -> int:
    """Print endpoints.yml as a Rasa server gets it from the settings (for containers)."""
    from bot.runtime.runner import render_endpoints

    print(render_endpoints(args.action_port), end="")
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    from bot.runtime.runner import shell

    return shell(Path(args.model), args.action_port)


def cmd_freshness(_: argparse.Namespace) -> int:
    from bot.services import get_services

    freshness = get_services().freshness
    counts = freshness.stale_counts()
    policy = get_settings().freshness_path
    shown = policy.relative_to(PROJECT_ROOT) if policy.is_relative_to(PROJECT_ROOT) else policy
    print(f"Consumers holding an out-of-date value, per field (policy: {shown})")
    for field, count in counts.items():
        months = freshness.policy.months[field]
        print(f"  {field:<16} {count:>8}   (valid {months:g} months)")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.runtime.scheduler import Scheduler
    from bot.services import get_services

    settings = get_settings()
    if not settings.rasa_api_token:
        print("RASA_API_TOKEN is not set: the scheduler talks to Rasa's API only with a token.")
        return 1
    scheduler = Scheduler(get_services(), settings.rasa_url, settings.rasa_api_token)
    if args.once:
        print(scheduler.run_once())
        return 0
    scheduler.run_forever(settings.scheduler_interval_seconds)
    return 0


def cmd_privacy(args: argparse.Namespace) -> int:
    """The DPO's commands: export or erase one consumer, apply the retention periods."""
    import json

    from bot.services import get_services
    from bot.storage.unit_of_work import StorageError

    privacy = get_services().privacy
    try:
        if args.privacy_command == "export":
            held = privacy.export(args.external_id)
            if held is None:
                print("No consumer with this external id.", file=sys.stderr)
                return 1
            text = json.dumps(held, ensure_ascii=False, indent=2)
            if args.out:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
        elif args.privacy_command == "erase":
            erased = privacy.erase_external_id(args.external_id, "cli")
            print(f"{erased.identities} chat identities erased, with all their data.")
        else:
            purged = privacy.purge()
            print(
                f"Purged (data/privacy.yml): {purged.conversation_events} conversation events, "
                f"{purged.brand_event_payloads} brand event payloads, "
                f"{purged.inactive_consumers} inactive consumers."
            )
    except StorageError:
        return _database_failed("rien n'a été exporté ni effacé")
    return 0


def _add_privacy(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help="GDPR: export, erase, purge").add_subparsers(
        dest="privacy_command", required=True
    )
    export = privacy.add_parser("export", help="everything held on a consumer, as JSON")
    export.add_argument("external_id", help="the consumer's id on the brand's side")
    export.add_argument("--out", help="write to this file (default: stdout)")
    erase = privacy.add_parser("erase", help="erase everything about a consumer")
    erase.add_argument("external_id", help="the consumer's id on the brand's side")
    privacy.add_parser("purge", help="apply the retention periods of data/privacy.yml")
    for command in (export, erase):
        command.set_defaults(func=cmd_privacy)
    privacy.choices["purge"].set_defaults(func=cmd_privacy)


def cmd_products(args: argparse.Namespace) -> int:
    from bot.tools.products import import_products

    target = Path(args.out) if args.out else get_settings().catalogue_path
    return import_products(Path(args.file), target)


def _add_products(commands: Any) -> None:
    products = commands.add_parser("products", help="the product catalogue").add_subparsers(
        dest="products_command", required=True
    )
    load = products.add_parser("import", help="write data/products.yml from the brand's CSV")
    load.add_argument("file", help="the export: a name column, optionally id, category, aliases")
    load.add_argument("--out", help="default: MERCI_CATALOGUE_PATH (data/products.yml)")
    load.set_defaults(func=cmd_products)


def cmd_event_send(args: argparse.Namespace) -> int:
    from bot.integrations.brand_event_client import send_event

    status, body = send_event(Path(args.file), args.url)
    print(f"{status} {body}")
    return 0 if 200 <= status < 300 else 1


def _add_report(commands: Any) -> None:
    report = commands.add_parser(
        "report", help="the 'invisible work' report: HTML page with charts, CSV, summary"
    )
    report.add_argument("--since", type=date.fromisoformat, help="first day, e.g. 2026-01-01")
    report.add_argument("--until", type=date.fromisoformat, help="last day (default: now)")
    report.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="output folder")
    report.add_argument("--database-url", help="default: DATABASE_URL")
    for name, unit in (
        ("seconds-per-field", "seconds to enter one profile field"),
        ("seconds-per-confirmation", "seconds to confirm one field"),
        ("seconds-per-review", "seconds to write one review"),
        ("hourly-rate", "euros per hour of paid data entry"),
    ):
        report.add_argument(
            f"--{name}", type=float, help=f"{unit} (default: MERCI_REPORT_PATH, data/report.yml)"
        )
    report.set_defaults(func=cmd_report)


def _add_demo_data(commands: Any) -> None:
    demo = commands.add_parser("demo-data", help="replace the demo consumers with new ones")
    demo.add_argument("--consumers", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=2026, help="same seed, same data")
    demo.add_argument("--now", type=date.fromisoformat, help="the data ends here (default: today)")
    demo.add_argument("--database-url", help="default: DATABASE_URL")
    demo.set_defaults(func=cmd_demo_data)


def _add_scaled(commands: Any) -> None:
    scaled = commands.add_parser(
        "run-scaled", help="PostgreSQL, Redis, two Rasa servers and nginx on this machine"
    )
    scaled.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    scaled.add_argument("--port", type=int, default=5005, help="nginx's port")
    scaled.set_defaults(func=cmd_run_scaled)
    endpoints = commands.add_parser(
        "endpoints", help="print endpoints.yml as rendered from the settings (containers)"
    )
    endpoints.add_argument("--action-port", type=int, default=5055)
    endpoints.set_defaults(func=cmd_endpoints)


def cmd_studio_add_user(args: argparse.Namespace) -> int:
    from bot.studio.serve import add_user

    return add_user(args.name, args.role, args.database_url)


def cmd_studio_serve(args: argparse.Namespace) -> int:
    from bot.studio.serve import serve

    return serve(Path(args.root), args.port, args.rasa_url)


def _add_studio(commands: Any) -> None:
    studio = commands.add_parser(
        "studio", help="Merci Studio, the marketers' web app"
    ).add_subparsers(dest="studio_command", required=True)
    add_user = studio.add_parser(
        "add-user", help="create or update an account (password asked, or one line of stdin)"
    )
    add_user.add_argument("name")
    add_user.add_argument("--role", choices=("editeur", "lecteur"), default="editeur")
    add_user.add_argument("--database-url", help="default: DATABASE_URL")
    add_user.set_defaults(func=cmd_studio_add_user)
    serve = studio.add_parser("serve", help="serve the studio on 127.0.0.1:MERCI_STUDIO_PORT")
    serve.add_argument("--root", default=str(PROJECT_ROOT), help="the project whose files it edits")
    serve.add_argument("--port", type=int, help="default: MERCI_STUDIO_PORT (5006)")
    serve.add_argument(
        "--rasa-url",
        action="append",
        help="a Rasa server a publish loads; once per server (default: MERCI_RASA_URL)",
    )
    serve.set_defaults(func=cmd_studio_serve)


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
    _add_report(commands)
    _add_demo_data(commands)
    _add_privacy(commands)
    _add_products(commands)
    _add_studio(commands)
    nlu = commands.add_parser("nlu-report", help="NLU quality on the held-out test file")
    nlu.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    nlu.add_argument("--test-file", default=str(PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml"))
    nlu.add_argument("--out", default=str(PROJECT_ROOT / "reports"))
    nlu.add_argument("--cross-validation", action="store_true", help="also train on folds")
    nlu.add_argument("--folds", type=int, default=5)
    nlu.set_defaults(func=cmd_nlu_report)
    run = commands.add_parser("run", help="start the action server and the Rasa server")
    run.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--action-port", type=int, default=5055)
    run.set_defaults(func=cmd_run)
    _add_scaled(commands)
    shell = commands.add_parser("shell", help="talk to Merci in the terminal")
    shell.add_argument("--model", default=str(PROJECT_ROOT / "models" / "merci.tar.gz"))
    shell.add_argument("--action-port", type=int, default=5055)
    shell.set_defaults(func=cmd_shell)
    commands.add_parser(
        "freshness", help="count consumers whose data is out of date, per field"
    ).set_defaults(func=cmd_freshness)
    scheduler = commands.add_parser("scheduler", help="fire due nudges through Rasa's API")
    scheduler.add_argument("--once", action="store_true", help="fire what is due, then exit")
    scheduler.set_defaults(func=cmd_scheduler)
    event = commands.add_parser("event", help="brand events").add_subparsers(
        dest="event_command", required=True
    )
    send = event.add_parser("send", help="sign FILE.json with BRAND_EVENTS_SECRET and post it")
    send.add_argument("file")
    send.add_argument("--url", default="http://127.0.0.1:5005/webhooks/brand/events")
    send.set_defaults(func=cmd_event_send)
    args = parser.parse_args(argv)
    configure_logging(get_settings())
    from bot.storage.unit_of_work import StorageError

    try:
        return int(args.func(args))
    except StorageError:
        return _database_failed("rien n'a été lu ni modifié")
