"""The timing loop, framework-free: the harness passes in a step and a way to wait for it.

Shaped like nanoGPT's ``bench.py``: burn-in, then measured steps, each followed by a device synchronisation so
the clock reads finished work, not queued work::

    first step (timed alone: compilation / tracing)  →  more warm-up steps (untimed)
    →  repeats × [ measured_steps × (step, sync, read clock) ]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Step = Callable[[], Any]
Sync = Callable[[Any], None]  # receives the step's output: TensorFlow waits by fetching a value from it


@dataclass(frozen=True)
class Measurement:
    first_step_s: float
    repeat_times_s: list[float]  # wall time of each repeat (measured_steps steps)
    step_times_s: list[float]  # every measured step, repeat after repeat


def measure(step: Step, sync: Sync, *, warmup_steps: int, repeats: int, measured_steps: int,
            clock: Callable[[], float] = time.perf_counter) -> Measurement:
    start = clock()
    sync(step())
    first_step_s = clock() - start
    for _ in range(warmup_steps - 1):
        sync(step())

    repeat_times, step_times = [], []
    for _ in range(repeats):
        repeat_start = previous = clock()
        for _ in range(measured_steps):
            sync(step())
            now = clock()
            step_times.append(now - previous)
            previous = now
        repeat_times.append(previous - repeat_start)
    return Measurement(first_step_s, repeat_times, step_times)


def best_time(fn: Step, sync: Sync, *, warmup: int, trials: int, inner: int,
              clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds per call of ``fn`` in the fastest of ``trials`` trials of ``inner`` calls (after ``warmup`` calls).

    Best-of-N, not the median: a peak is the fastest the device can go, and interference only slows it down.
    """
    for _ in range(warmup):
        sync(fn())
    best = float("inf")
    for _ in range(trials):
        start = clock()
        out = None
        for _ in range(inner):
            out = fn()
        sync(out)
        best = min(best, (clock() - start) / inner)
    return best
