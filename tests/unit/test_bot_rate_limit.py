"""The sliding-window limiter that answers 429 (REST) or a polite word (widget)."""

from __future__ import annotations

from bot.domain.rate_limit import SlidingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_n_plus_first_message_in_the_window_is_refused_then_accepted_once_it_slides():
    clock = FakeClock()
    limiter = SlidingWindow(limit=3, window_seconds=10, clock=clock)
    assert [limiter.allow("marie") for _ in range(3)] == [True, True, True]
    assert limiter.allow("marie") is False
    clock.now += 9.9
    assert limiter.allow("marie") is False
    clock.now += 0.2  # the first three are now more than 10 s old
    assert limiter.allow("marie") is True


def test_each_key_has_its_own_window():
    limiter = SlidingWindow(limit=1, window_seconds=10, clock=FakeClock())
    assert limiter.allow("marie") and limiter.allow("paul")
    assert not limiter.allow("marie")


def test_a_refused_message_does_not_extend_the_wait():
    clock = FakeClock()
    limiter = SlidingWindow(limit=1, window_seconds=10, clock=clock)
    limiter.allow("marie")
    for _ in range(50):
        clock.now += 0.1
        limiter.allow("marie")
    clock.now += 5.1  # 10.1 s after the only accepted message
    assert limiter.allow("marie")


def test_memory_is_bounded_by_the_number_of_keys_kept():
    clock = FakeClock()
    limiter = SlidingWindow(limit=2, window_seconds=10, clock=clock, max_keys=100)
    for index in range(10_000):
        limiter.allow(f"sender-{index}")
    assert len(limiter) <= 100


def test_looking_counts_nothing_and_recording_counts_even_over_the_limit():
    clock = FakeClock()
    window = SlidingWindow(limit=2, window_seconds=10, clock=clock)
    assert not window.over("login") and not window.over("login")
    window.record("login")
    clock.now += 5
    window.record("login")
    assert window.over("login")
    clock.now += 1
    window.record("login")  # over the limit: counted all the same
    clock.now += 4.5  # the first one has left the window, the two later ones have not
    assert window.over("login")
    clock.now += 5
    assert not window.over("login")
