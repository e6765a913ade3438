"""The runner's backoff: one second doubling to thirty, reset once a child ran a minute."""

from __future__ import annotations

from bot.runtime.supervisor import next_delay


def test_the_delay_doubles_while_a_child_keeps_dying_and_stops_at_thirty_seconds():
    delays = [next_delay(None, 0.5)]
    for _ in range(6):
        delays.append(next_delay(delays[-1], 2))
    assert delays == [1, 2, 4, 8, 16, 30, 30]


def test_a_child_that_ran_for_a_while_starts_again_after_one_second():
    assert next_delay(30, 61) == 1
