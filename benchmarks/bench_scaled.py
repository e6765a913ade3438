"""One Rasa server against two behind nginx, on the scaled topology (PostgreSQL + Redis).

The topology is started once (``bot.runtime.scaled.scaled``, as ``make run-scaled`` does);
"one server" is the first Rasa server addressed directly, "two servers" is nginx in front of
both. The two are measured in alternation, so that the machine's noise hits both alike:
throughput at saturation and per-turn latency p50/p95/p99 with 8 and 32 concurrent senders,
each holding conversations of 10 turns (a new sender id per conversation), for a small-talk
turn and an action turn. Writes ``reports/bench-scaled.json`` and ``reports/bench-scaled.md``.

    make bench     # or: .venv/bin/python -m benchmarks.bench_scaled --turns 40
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench_turns import ACTION_TURN, BASELINE, MODEL, NO_RATE_LIMIT, say
from bot.config import PROJECT_ROOT
from bot.runtime.scaled import scaled

REPORTS = PROJECT_ROOT / "reports"
CONVERSATION_TURNS = 10
TURNS = {"small talk": BASELINE, "action turn": ACTION_TURN}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(url: str, text: str, senders: int, turns_each: int, tag: str) -> dict[str, float]:
    """``senders`` at once, each ``turns_each`` turns in conversations of 10 turns."""

    def one(index: int) -> list[float]:
        latencies = []
        for turn in range(turns_each):
            sender = f"bench-{tag}-{index}-{turn // CONVERSATION_TURNS}"
            if turn % CONVERSATION_TURNS == 0 and text == ACTION_TURN:
                say(url, sender, "je m'appelle Marie")  # a profile to confirm, not timed
            latencies.append(say(url, sender, text))
        return latencies

    start = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        latencies = [s for series in pool.map(one, range(senders)) for s in series]
    elapsed = time.perf_counter() - start
    return {
        "turns_per_s": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def measure(turns: int, rounds: int) -> dict[str, dict[str, float]]:
    """Every figure, keyed ``"<servers> / <turn> / <senders> senders"``: of ``rounds``
    alternated runs, the one with the best throughput (and its latencies)."""
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="merci-bench-scaled-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # PostgreSQL runs as postgres under root
        with scaled(MODEL, directory, extra_env=NO_RATE_LIMIT) as topology:
            targets = {"one server": topology.rasa_urls[0], "two servers": topology.url}
            for url in targets.values():
                load(url, BASELINE, 4, 5, "warmup")
            for round_ in range(rounds):
                for senders in (8, 32):
                    for name, text in TURNS.items():
                        for target, url in targets.items():
                            key = f"{target} / {name} / {senders} senders"
                            tag = f"{round_}-{senders}-{target[:3]}-{name[:5]}".replace(" ", "")
                            figures = load(
                                url, text, senders, max(turns // senders, CONVERSATION_TURNS), tag
                            )
                            best = results.get(key)
                            if best is None or figures["turns_per_s"] > best["turns_per_s"]:
                                results[key] = figures
                            print(key, {k: round(v, 1) for k, v in figures.items()}, flush=True)
    return results


def markdown(results: dict[str, dict[str, float]]) -> str:
    lines = [
        "## Scaled topology: one Rasa server against two behind nginx",
        "",
        "PostgreSQL + Redis, conversations of 10 turns per sender id, best of the alternated "
        "rounds (`make bench`, `benchmarks/bench_scaled.py`).",
        "",
        "| servers / turn / senders | turns/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for key, f in results.items():
        lines.append(
            f"| {key} | {f['turns_per_s']:.1f} | {f['p50_ms']:.0f} | {f['p95_ms']:.0f} "
            f"| {f['p99_ms']:.0f} |"
        )
    lines += ["", "| turn / senders | two servers / one server (throughput) |", "|---|---|"]
    for key, ratio in two_over_one(results).items():
        lines.append(f"| {key} | {ratio:.2f}x |")
    return "\n".join(lines) + "\n"


def two_over_one(results: dict[str, dict[str, float]]) -> dict[str, float]:
    """Throughput of two servers behind nginx over one server's, per turn and load."""
    ratios = {}
    for name in TURNS:
        for senders in (8, 32):
            one = results[f"one server / {name} / {senders} senders"]["turns_per_s"]
            two = results[f"two servers / {name} / {senders} senders"]["turns_per_s"]
            ratios[f"{name} / {senders} senders"] = two / one
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=160, help="turns per series (about)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results = measure(args.turns, args.rounds)
    REPORTS.mkdir(exist_ok=True)
    # bench_vs_stock reads this file: the two-server target is the first "over_one" figure.
    summary = {"throughput_two_over_one": two_over_one(results), "figures": results}
    (REPORTS / "bench-scaled.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    text = markdown(results)
    (REPORTS / "bench-scaled.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
