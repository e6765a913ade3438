"""Several checkouts of Merci (before and after a change), measured in one interleaved run.

Each checkout serves Merci from its own directory (its own code, the same virtual
environment); the series then alternate between them as in :mod:`benchmarks.bench_vs_stock`,
so that the noise of a shared machine hits each version alike.

    .venv/bin/python -m benchmarks.bench_checkouts before=/tmp/merci-old after=. \\
        [after-in-process=.:MERCI_ACTIONS=in-process] --long 150
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.bench_vs_stock import (
    MERCI_SCRIPTS,
    Bot,
    Sizes,
    long_conversations,
    memory_mb,
    run_rounds,
    traffic,
)
from benchmarks.vs_stock_report import bot_figures

# Run in the checkout: serve Merci, print where, wait until told to stop (stdin closed).
SERVE = """
import json, os, sys
from benchmarks.bench_turns import fresh_servers
with fresh_servers() as servers:
    pids = [p.pid for p in servers.processes[:2]]
    print(json.dumps({"url": servers.rasa_url, "pids": pids}), flush=True)
    sys.stdin.read()
"""


def start_checkout(spec: str) -> subprocess.Popen[str]:
    directory, *settings = spec.split(":")
    env = {**os.environ, **dict(setting.split("=", 1) for setting in settings)}
    return subprocess.Popen(
        [sys.executable, "-c", SERVE],
        cwd=Path(directory).resolve(),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


@contextmanager
def checkout_servers(checkouts: list[str]) -> Iterator[list[Bot]]:
    """Each checkout started in turn (at once, they would not start in time on two cores),
    each stopped when done."""
    named = [item.split("=", 1) for item in checkouts]
    processes: list[subprocess.Popen[str]] = []
    try:
        bots = []
        for name, spec in named:
            process = start_checkout(spec)
            processes.append(process)
            assert process.stdout is not None
            started = json.loads(process.stdout.readline())
            pids = started["pids"]
            bots.append(
                Bot(name, started["url"], MERCI_SCRIPTS, {"actions": pids[0], "rasa": pids[1]})
            )
        yield bots
    finally:
        for process in processes:
            if process.stdin:
                process.stdin.close()
        for process in processes:
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", help="name=directory[:VAR=value...]")
    parser.add_argument("--long", type=int, default=150)
    parser.add_argument("--series", nargs="+", default=["sequential", "realistic_8"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sizes = Sizes(**{**Sizes.quick().__dict__, "long_conversation": args.long})
    with checkout_servers(args.checkouts) as bots:
        for bot in bots:
            bot.figures["start_to_first_answer_s"] = float("nan")
            for kind in bot.scripts:
                traffic(bot, kind, 2, 5, 5, "warmup")
        run_rounds(bots, sizes, lambda line: print(line, flush=True), args.series)
        long_conversations(bots, sizes.long_conversation)
        for bot in bots:
            bot.figures["memory"] = {part: memory_mb(pid) for part, pid in bot.pids.items()}
        figures = {bot.name: bot_figures(bot) for bot in bots}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
