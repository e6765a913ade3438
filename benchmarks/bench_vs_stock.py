"""Merci against the stock Rasa bot (``rasa init``), side by side, in one interleaved run.

Every series is run for each bot in turn (stock, Merci with its actions over HTTP, Merci with
in-process actions, stock on SQL; ``--rounds N`` repeats the whole) so that the noise of this
shared machine hits every bot alike; figures are pooled over the rounds
and each is quoted as a ratio Merci / stock. Writes ``reports/bench-vs-stock.md`` and
``reports/bench-vs-stock.json``; adds the two-server figures from
``reports/bench-scaled.json`` when that benchmark has written them.

    make bench                                        # the whole run (about 15-20 minutes)
    .venv/bin/python -m benchmarks.bench_vs_stock --quick --no-train   # a few minutes
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import profiling
from benchmarks.bench_turns import free_port, fresh_servers, say
from benchmarks.stock_bot import STOCK_SMALL_TALK, create_project, serving_stock, train
from benchmarks.vs_stock_report import write_reports
from bot.config import PROJECT_ROOT

MERCI_MODEL = PROJECT_ROOT / "models" / "merci.tar.gz"
REPORTS = PROJECT_ROOT / "reports"
BOTS = ("stock", "merci", "merci_in_process", "stock_sql")
SERIES = ["sequential", "concurrent_8", "concurrent_32", "realistic_8", "realistic_32"]


@dataclass(frozen=True)
class Script:
    """What a sender says: ``opening`` once per conversation (not timed), then ``cycle``
    over and over (every turn timed)."""

    opening: tuple[str, ...]
    cycle: tuple[str, ...]


MERCI_SCRIPTS = {
    # thank -> utter_you_are_welcome: rules only, no custom action.
    "small_talk": Script((), ("merci beaucoup",)),
    # A profile value saved: action_save_profile_value writes the first name every turn.
    "profile_saved": Script(("je m'appelle Marie", "Oui"), ("je m'appelle Marie",)),
    # The review form: every turn runs its validation action, every fourth saves a review.
    "review_form": Script(
        (), ("je veux laisser un avis", "Crème hydratante", "5", "Excellente crème")
    ),
}
STOCK_SCRIPTS = {"small_talk": Script((), (STOCK_SMALL_TALK,))}
ACTION_KINDS = ("profile_saved", "review_form")


@dataclass
class Bot:
    name: str
    url: str
    scripts: dict[str, Script]
    pids: dict[str, int]  # "rasa", "actions"
    figures: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    wall: dict[str, float] = field(default_factory=dict)
    turns: dict[str, int] = field(default_factory=dict)


def converse(url: str, sender: str, script: Script, turns: int) -> list[float]:
    for text in script.opening:
        say(url, sender, text)
    return [say(url, sender, script.cycle[i % len(script.cycle)]) for i in range(turns)]


def traffic(
    bot: Bot, kind: str, senders: int, turns_each: int, conversation: int, tag: str
) -> tuple[list[float], float]:
    """``senders`` at once, each saying ``turns_each`` turns in conversations of
    ``conversation`` turns (a new sender id for each); latencies and turns per second."""
    from concurrent.futures import ThreadPoolExecutor

    script = bot.scripts[kind]

    def one(index: int) -> list[float]:
        samples: list[float] = []
        done = 0
        while done < turns_each:
            length = min(conversation, turns_each - done)
            sender = f"{tag}-{kind}-{index}-{done}-{time.monotonic_ns()}"
            samples += converse(bot.url, sender, script, length)
            done += length
        return samples

    start = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        results = list(pool.map(one, range(senders)))
    wall = time.perf_counter() - start
    return [s for r in results for s in r], senders * turns_each / wall


@dataclass(frozen=True)
class Sizes:
    sequential: int = 30
    concurrent_turns: int = 96  # per series, split between the senders
    realistic_turns: int = 96  # with 8 senders; 32 senders hold one conversation of 10 each
    long_conversation: int = 150
    rounds: int = 1

    @classmethod
    def quick(cls) -> Sizes:
        return cls(sequential=15, concurrent_turns=64, realistic_turns=64, rounds=1)


def series(sizes: Sizes) -> list[tuple[str, int, int, int]]:
    """(name, senders, turns per sender, conversation length) of each timed series."""
    return [
        ("sequential", 1, sizes.sequential, sizes.sequential),
        # One conversation per sender, as long as the series: the server saturated.
        ("concurrent_8", 8, sizes.concurrent_turns // 8, sizes.concurrent_turns),
        ("concurrent_32", 32, max(sizes.concurrent_turns // 32, 2), sizes.concurrent_turns),
        # Realistic traffic: conversations of 10 turns, a new sender id for each.
        ("realistic_8", 8, sizes.realistic_turns // 8, 10),
        ("realistic_32", 32, max(sizes.realistic_turns // 32, 10), 10),
    ]


def run_rounds(
    bots: list[Bot], sizes: Sizes, say_line: Callable[[str], None], only: list[str]
) -> None:
    for round_number in range(sizes.rounds):
        for name, senders, turns_each, conversation in series(sizes):
            if name not in only:
                continue
            for bot in bots:
                for kind in bot.scripts:
                    tag = f"r{round_number}-{name}"
                    samples, rate = traffic(bot, kind, senders, turns_each, conversation, tag)
                    key = f"{kind}.{name}"
                    bot.samples.setdefault(key, []).extend(samples)
                    bot.wall[key] = bot.wall.get(key, 0.0) + senders * turns_each / rate
                    bot.turns[key] = bot.turns.get(key, 0) + senders * turns_each
                    say_line(
                        f"  round {round_number + 1} {bot.name:12} {key:28} {rate:6.1f} turns/s"
                    )


def long_conversations(bots: list[Bot], length: int) -> None:
    """One sender per bot and kind, ``length`` turns: the first 20 against the last 20.

    The conversations advance together, one turn each in turn, so that the machine's noise
    over the minutes they last hits every bot and kind alike."""
    talks = [
        (bot, kind, f"long-{kind}-{time.monotonic_ns()}") for bot in bots for kind in bot.scripts
    ]
    samples: dict[tuple[str, str], list[float]] = {(b.name, k): [] for b, k, _ in talks}
    for bot, kind, sender in talks:
        for text in bot.scripts[kind].opening:
            say(bot.url, sender, text)
    for index in range(length):
        for bot, kind, sender in talks:
            cycle = bot.scripts[kind].cycle
            samples[(bot.name, kind)].append(say(bot.url, sender, cycle[index % len(cycle)]))
    for bot, kind, _ in talks:
        series = samples[(bot.name, kind)]
        bot.samples[f"{kind}.long_first_20"] = series[:20]
        bot.samples[f"{kind}.long_last_20"] = series[-20:]


def first_answer(url: str, text: str, started: float, timeout: float = 300) -> float:
    """Seconds from ``started`` to the first answer to ``text``."""
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            say(url, f"first-answer-{time.monotonic_ns()}", text)
            return time.perf_counter() - started
        except (OSError, RuntimeError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def started_bots(models: dict[str, Path], names: list[str]) -> Iterator[list[Bot]]:
    """The stock bot (in-memory and SQL tracker stores) and Merci, started one at a time,
    each timed from the start of its processes to its first answer."""
    with ExitStack() as stack:
        bots: list[Bot] = []
        for name in BOTS:
            if name not in names:
                continue
            started = time.perf_counter()
            if name.startswith("merci"):
                mode = "in-process" if name == "merci_in_process" else "http"
                servers: Any = stack.enter_context(fresh_servers({"MERCI_ACTIONS": mode}))
                scripts, pids = MERCI_SCRIPTS, [p.pid for p in servers.processes[:2]]
            else:
                store = "sql" if name == "stock_sql" else "memory"
                servers = stack.enter_context(
                    serving_stock(models["stock"], free_port(), free_port(), store)
                )
                scripts, pids = STOCK_SCRIPTS, [p.pid for p in servers.processes]
            bot = Bot(name, servers.rasa_url, scripts, {"actions": pids[0], "rasa": pids[1]})
            bot.figures["start_to_first_answer_s"] = first_answer(
                bot.url, scripts["small_talk"].cycle[0], started
            )
            bots.append(bot)
        yield bots


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of ``pid`` and its children (now and at its peak), in MB."""
    now = peak = 0.0
    for process in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        peak += int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return {"rss_mb": now, "peak_rss_mb": peak}


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in map(int, kids):
            found += [kid, *children(kid)]
    return found


def training_times(enabled: bool) -> dict[str, float]:
    """Seconds to train each bot from scratch (one after the other, nothing cached)."""
    if not enabled:
        return {}
    with tempfile.TemporaryDirectory(prefix="bench-train-") as out:
        _, stock = train(create_project(), Path(out), "stock")
        _, merci = train(PROJECT_ROOT, Path(out), "merci")
    return {"stock": stock, "merci": merci}


def stock_model() -> Path:
    """The model ``rasa init`` trained (the newest in the stock project's models/)."""
    project = create_project()
    models = sorted((project / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"no model in {project / 'models'}: delete {project} and run again")
    return models[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller series")
    parser.add_argument("--rounds", type=int, help="rounds of interleaved series")
    parser.add_argument("--no-train", action="store_true", help="skip the training times")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument("--long", type=int, default=150, help="turns of the long conversation")
    parser.add_argument("--out", type=Path, default=REPORTS)
    parser.add_argument(
        "--series", nargs="+", default=SERIES, choices=SERIES, help="only these series"
    )
    parser.add_argument(
        "--bots", nargs="+", default=list(BOTS), choices=BOTS,
        help="only these bots (to compare Merci with itself before and after a change)",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.rounds:
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    sizes = Sizes(**{**sizes.__dict__, "long_conversation": args.long})
    log = lambda line: print(line, flush=True)  # noqa: E731
    began = time.perf_counter()
    log("Training both bots from scratch..." if not args.no_train else "Training skipped.")
    trained = training_times(not args.no_train)
    models = {"stock": stock_model() if {"stock", "stock_sql"} & set(args.bots) else MERCI_MODEL}
    with started_bots({**models, "merci": MERCI_MODEL}, args.bots) as bots:
        for bot in bots:
            seconds = bot.figures["start_to_first_answer_s"]
            log(f"{bot.name}: first answer {seconds:.1f} s after start")
        # Warm up (first turns load lazily), then the interleaved rounds.
        for bot in bots:
            for kind in bot.scripts:
                traffic(bot, kind, 2, 5, 5, "warmup")
        run_rounds(bots, sizes, log, args.series)
        log("Long conversations...")
        long_conversations(bots, sizes.long_conversation)
        for bot in bots:
            bot.figures["memory"] = {part: memory_mb(pid) for part, pid in bot.pids.items()}
        profiles: dict[str, Any] = {}
        for bot in bots if not args.no_profile else []:
            if bot.name.startswith("merci"):
                log(f"Profiling {bot.name}'s Rasa server under small-talk load (py-spy)...")
                profiles[bot.name] = profiling.profile_under_load(
                    bot.pids["rasa"],
                    partial(traffic, bot, "small_talk", 8, 40, 10, "profile"),
                    args.out / f"profile-{bot.name}-small-talk.txt",
                )
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}",
        "sizes": sizes.__dict__,
        "bench_seconds": round(time.perf_counter() - began),
    }
    paths = write_reports(args.out, bots, trained, profiles, meta)
    log(f"Wrote {', '.join(str(p) for p in paths)}")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
