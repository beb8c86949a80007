"""Small statistics and a progress bar on stderr."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable


def summary(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/max in milliseconds of samples given in seconds."""
    if not samples_s:
        return {"n": 0}
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[max(0, int(round(len(ms) * 0.95)) - 1)], 3),
        "max_ms": round(ms[-1], 3),
        "n": len(ms),
    }


def summary_ms(samples_ms: list[float]) -> dict[str, float]:
    """The same summary for samples already in milliseconds."""
    return summary([s / 1000 for s in samples_ms])


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """Run `fn` n times; the durations in seconds."""
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


class Progress:
    """One line on stderr: `[#####     ] 12/40 scenario`; redrawn in place on a terminal."""

    def __init__(self, total: int, enabled: bool = True):
        self.total = max(1, total)
        self.done = 0
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()

    def step(self, label: str, n: int = 1) -> None:
        """Advance by n steps and show what runs next."""
        self.done = min(self.total, self.done + n)
        self.show(label)

    def show(self, label: str) -> None:
        """Redraw the bar with this label."""
        if not self.enabled:
            return
        width = 30
        filled = width * self.done // self.total
        elapsed = time.monotonic() - self.started
        line = f"[{'#' * filled:<{width}}] {self.done}/{self.total} {elapsed:5.0f}s {label}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:150])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        """End the progress line."""
        if self.enabled and self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
