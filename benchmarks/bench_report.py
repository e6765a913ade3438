"""The "invisible work" report on 100,000 demo consumers: it must take less than 30 s.

The time is quoted in seconds and as a ratio to a baseline measured in the same run on
the same database: one plain pass over every table (a COUNT and a MAX per table), which
is what any report must at least read. Machines are shared and noisy; the ratio says
how many such passes the report costs, the seconds say whether it meets the target.

    make bench            # or: .venv/bin/python -m benchmarks.bench_report --consumers 100000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text

from bot.config import PROJECT_ROOT, get_settings
from bot.domain.congratulations import load_table
from bot.domain.freshness import load_policy
from bot.domain.wording import load_responses
from bot.storage.engine import build_engine
from bot.storage.migrate import upgrade
from bot.tools.demo_data import generate
from bot.tools.invisible_work.assumptions import load_assumptions
from bot.tools.invisible_work.figures import compute
from bot.tools.invisible_work.render import write_report

TARGET_SECONDS = 30.0
NOW = datetime(2026, 11, 25)
ONE_PASS = (
    "SELECT COUNT(*), MAX(created_at) FROM consumers",
    "SELECT COUNT(*), MAX(updated_at), MAX(confirmed_at) FROM profile_fields",
    "SELECT COUNT(*), MAX(created_at), MAX(rating) FROM reviews",
    "SELECT COUNT(*), MAX(created_at), MAX(response) FROM acknowledgements",
)


def timed(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``work`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(consumers: int, repeat: int) -> dict[str, float]:
    responses = load_responses(PROJECT_ROOT / "domain.yml")
    table = load_table(PROJECT_ROOT / "data" / "congratulations.yml", responses)
    policy = load_policy(PROJECT_ROOT / "data" / "freshness.yml")
    assumptions = load_assumptions(get_settings().report_assumptions_path)
    since = datetime.combine(date(2026, 1, 1), datetime.min.time())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = build_engine(url)
        start = time.perf_counter()
        counts = generate(engine, table, responses, consumers, now=NOW)
        generation = time.perf_counter() - start

        def one_pass() -> None:
            with engine.connect() as db:
                for query in ONE_PASS:
                    db.execute(text(query)).all()

        def figures() -> object:
            return compute(engine, policy, assumptions, since, NOW)

        def report() -> None:
            write_report(compute(engine, policy, assumptions, since, NOW), Path(tmp), NOW)

        one_pass()  # warm the page cache for everyone alike
        baseline = timed(one_pass, repeat)
        queries = timed(figures, repeat)
        whole = timed(report, repeat)
        engine.dispose()
    rows = consumers + counts.fields + counts.reviews + counts.thanks
    return {
        "rows_in_database": rows,
        "generation_s": generation,
        "baseline_one_pass_s": baseline,
        "report_figures_s": queries,
        "report_total_s": whole,
        "figures_over_one_pass": queries / baseline,
        "report_over_one_pass": whole / baseline,
        "report_over_generation": whole / generation,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = measure(args.consumers, args.repeat)
    print(f"\n## Invisible work report, {args.consumers:,} demo consumers (SQLite)")
    print("| measure | value |\n|---|---|")
    for name, value in results.items():
        print(
            f"| {name} | {value:,.0f} |"
            if name == "rows_in_database"
            else f"| {name} | {value:.2f} |"
        )
    verdict = "meets" if results["report_total_s"] < TARGET_SECONDS else "MISSES"
    print(f"\nThe report {verdict} its target of {TARGET_SECONDS:.0f} s "
          f"({results['report_total_s']:.1f} s).")  # fmt: skip


if __name__ == "__main__":
    main()
