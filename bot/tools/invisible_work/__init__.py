"""The "invisible work" report: what consumers did for the brand, and what it is worth.

``python -m bot report --since 2026-01-01 --out reports/`` (``make report``) counts from
the database the profiles completed, the fields entered and confirmed, the reviews, the
thanks sent and the freshness of the base, estimates the consumers' time and what the
same data entry would have cost the brand, and writes an HTML page and a CSV.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path

from bot.tools.invisible_work.assumptions import (
    AssumptionsError,
    ReportAssumptions,
    load_assumptions,
)
from bot.tools.invisible_work.figures import Figures, compute
from bot.tools.invisible_work.render import summary, write_report

__all__ = ["Figures", "ReportAssumptions", "compute", "run_report"]


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min) if day else None


def run_report(
    out: Path,
    since: date | None = None,
    until: date | None = None,
    database_url: str | None = None,
    **overrides: float | None,
) -> int:
    """The report on the configured database; prints the summary. Returns an exit status."""
    from bot.config import get_settings
    from bot.domain.freshness import PolicyError, load_policy
    from bot.storage.engine import build_engine, get_engine
    from bot.storage.models import utcnow

    try:
        settings = get_settings()
        assumptions = load_assumptions(settings.report_assumptions_path).overridden(**overrides)
        policy = load_policy(settings.freshness_path)
    except (AssumptionsError, PolicyError) as error:
        print(f"{error}\nCorrigez ces réglages (make check les vérifie).", file=sys.stderr)
        return 1
    engine = build_engine(database_url) if database_url else get_engine()
    # "--until 2026-06-30" includes that day.
    end = _start_of(until)
    end = end.replace(hour=23, minute=59, second=59, microsecond=999999) if end else utcnow()
    figures = compute(engine, policy, assumptions, _start_of(since), end)
    page, table = write_report(figures, out, generated=utcnow())
    print("\n".join(summary(figures)))
    print(f"Rapport : {page}\nChiffres : {table}")
    return 0
