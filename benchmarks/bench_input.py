"""How long a long message takes, and how long it makes another consumer wait.

Sends a 200-, 2,000-, 20,000- and 200,000-character message over REST to real servers, and
meanwhile another consumer's small-talk turn; every figure is a ratio to the 200-character
case (the machines are shared and noisy). Bounded: at most 2x, or refused (413).

    make bench            # or: .venv/bin/python -m benchmarks.bench_input --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.error

from benchmarks.bench_turns import fresh_servers, say

SIZES = (200, 2_000, 20_000, 200_000)
SMALL_TALK = "merci beaucoup"
# The benchmark measures time, not the rate limits: those are raised for it.


def long_turn(url: str, size: int, index: int) -> tuple[float, str]:
    """Seconds to answer (or refuse) a message of ``size`` characters: the e-mail pattern's
    worst case (a long word with no "@")."""
    start = time.perf_counter()
    try:
        say(url, f"bench-long-{size}-{index}", "a" * size)
        outcome = "answered"
    except urllib.error.HTTPError as error:
        outcome = f"refused ({error.code})"
    return time.perf_counter() - start, outcome


def meanwhile(url: str, size: int, index: int) -> tuple[float, float, str]:
    """The long turn, and another consumer's small talk sent while it is being handled."""
    result: list[tuple[float, str]] = []
    thread = threading.Thread(target=lambda: result.append(long_turn(url, size, index)))
    thread.start()
    time.sleep(0.02)
    other = say(url, f"bench-other-{size}-{index}", SMALL_TALK)
    thread.join()
    return result[0][0], other, result[0][1]


def measure(repeats: int) -> list[tuple[int, float, float, str]]:
    with fresh_servers() as servers:
        url = servers.rasa_url
        for _ in range(5):
            say(url, "bench-warmup", SMALL_TALK)
        rows = []
        for size in SIZES:
            runs = [meanwhile(url, size, index) for index in range(repeats)]
            rows.append((
                    size,
                    statistics.median(r[0] for r in runs),
                    statistics.median(r[1] for r in runs),
                    runs[0][2],
                ))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    rows = measure(parser.parse_args().repeats)
    base_long, base_other = rows[0][1], rows[0][2]
    print("\n## Long messages over REST (medians; ratios to the 200-character case)")
    print("| characters | outcome | answer ms | ratio | other consumer ms | ratio |")
    print("|---|---|---|---|---|---|")
    for size, long_s, other_s, outcome in rows:
        print(
            f"| {size:,} | {outcome} | {long_s * 1000:.0f} | {long_s / base_long:.2f}x "
            f"| {other_s * 1000:.0f} | {other_s / base_other:.2f}x |"
        )
    worst = max(max(r[1] / base_long, r[2] / base_other) for r in rows)
    print(
        f"\nBounded (at most 2x, or refused): {'yes' if worst <= 2 else 'NO'} (worst {worst:.2f}x)"
    )


if __name__ == "__main__":
    main()
