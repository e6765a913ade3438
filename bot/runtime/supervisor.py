"""Keep Merci's servers running: a child that exits is started again after a backoff.

The delay starts at one second and doubles up to thirty while a child keeps dying soon
after it started; once it has run for a minute, the next exit starts from one second again.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A child that ran this long before exiting was healthy: its backoff starts over.
HEALTHY_AFTER = 60.0


def next_delay(previous: float | None, ran_for: float) -> float:
    """How long to wait before starting a child again that exited after ``ran_for`` s."""
    if previous is None or ran_for >= HEALTHY_AFTER:
        return FIRST_DELAY
    return min(previous * 2, MAX_DELAY)


@dataclass
class Child:
    """One supervised process: its description, how to start it, and its restart plan."""

    description: str
    launch: Callable[[], subprocess.Popen[bytes]]
    process: subprocess.Popen[bytes]
    started_at: float
    delay: float | None = None
    restart_at: float | None = None


@dataclass
class Supervisor:
    """The children of ``python -m bot run``; :meth:`check` is called by its main loop."""

    say: Callable[[str], None]
    clock: Callable[[], float] = time.monotonic
    children: list[Child] = field(default_factory=list)

    def add(
        self, description: str, launch: Callable[[], subprocess.Popen[bytes]]
    ) -> subprocess.Popen[bytes]:
        process = launch()
        self.children.append(Child(description, launch, process, self.clock()))
        return process

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [child.process for child in self.children]

    def check(self) -> None:
        """Plan a restart for each child that exited, and start those whose delay is over."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is None and child.process.poll() is not None:
                child.delay = next_delay(child.delay, now - child.started_at)
                child.restart_at = now + child.delay
                self.say(
                    f"The {child.description} exited (code {child.process.returncode}); "
                    f"restarting it in {child.delay:g} s."
                )
            elif child.restart_at is not None and now >= child.restart_at:
                child.process = child.launch()
                child.started_at, child.restart_at = now, None
