"""The timing loop: warm-up excluded, a sync before every clock read, every step and repeat recorded."""

from __future__ import annotations

import pytest

from generator.bench import timing


class FakeDevice:
    """A device whose steps take a known time on a fake clock, and that logs every call in order."""

    def __init__(self, first: float = 5.0, step: float = 0.5) -> None:
        self.now, self.first, self.step_time, self.steps, self.log = 0.0, first, step, 0, []

    def clock(self) -> float:
        self.log.append("clock")
        return self.now

    def run_step(self) -> int:
        self.steps += 1
        self.log.append("step")
        return self.steps

    def sync(self, output: int) -> None:
        # The step's time only "elapses" when we wait for it, as on an asynchronous device.
        self.log.append("sync")
        self.now += self.first if output == 1 else self.step_time


def test_measure_separates_first_step_warmup_and_repeats():
    device = FakeDevice()
    m = timing.measure(device.run_step, device.sync, warmup_steps=3, repeats=4, measured_steps=5, clock=device.clock)
    assert device.steps == 3 + 4 * 5
    assert m.first_step_s == 5.0
    assert m.repeat_times_s == pytest.approx([2.5] * 4)
    assert m.step_times_s == pytest.approx([0.5] * 20)


def test_every_clock_read_after_a_step_follows_its_sync():
    device = FakeDevice()
    timing.measure(device.run_step, device.sync, warmup_steps=1, repeats=2, measured_steps=3, clock=device.clock)
    for i, event in enumerate(device.log):
        if event == "step":
            assert device.log[i + 1] == "sync"


def test_best_time_keeps_the_fastest_trial_per_call():
    durations = iter([1.0] * 2 + [3.0, 1.0, 2.0])  # 2 warm-up calls, then 3 trials of 1 call
    state = {"now": 0.0}

    def fn():
        return next(durations)

    def sync(duration):
        state["now"] += duration

    best = timing.best_time(fn, sync, warmup=2, trials=3, inner=1, clock=lambda: state["now"])
    assert best == 1.0
