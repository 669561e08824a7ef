"""What the sweep suite's points say: series along one axis, crossovers, a cost model, thread scaling.

Framework-free and figure-free: every number here is a ratio, a fit or a comparison of measured medians and their
raw repeats. The site's sweep page renders it; the tests check it on synthetic results with known answers.

- A **series** is one setup (task, phase, framework, mode, precision) along one axis (batch size, sequence length
  or threads) on one machine, the other two held at the suite's fixed values.
- A **crossover** is where the faster of two setups changes between consecutive points. It is called only when both
  points are decided (the two 95% intervals apart); a sign change inside the noise is reported as "too close".
- The **cost model** fits step time = a + b·batch on every raw repeat (scipy's ``curve_fit``, relative residuals,
  a and b at least 0):
  ``a`` is the fixed cost of a step whatever its size (dispatch, Python, kernel launches, framework overhead),
  ``b`` the cost of one more sample (the kernels' work). It is what separates "framework overhead" from "kernel
  speed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy import stats as scipy_stats

from generator.results.schema import PerformanceResult, Status

AXES = ("batch_size", "seq_len", "threads")
AXIS_WORDS = {"batch_size": "batch", "seq_len": "sequence length", "threads": "threads"}


@dataclass(frozen=True)
class SeriesKey:
    machine_label: str
    device: str
    task: str
    phase: str
    axis: str
    framework: str
    mode: str
    precision: str

    @property
    def panel(self) -> tuple[str, str, str, str, str]:
        """The chart a series belongs to: same machine, task, phase and axis (both frameworks, every mode)."""
        return self.machine_label, self.device, self.task, self.phase, self.axis


@dataclass
class Series:
    key: SeriesKey
    points: dict[int, PerformanceResult] = field(default_factory=dict)  # x → the latest result at x

    def xs(self) -> list[int]:
        return sorted(self.points)

    def throughput(self, x: int) -> float:
        return self.points[x].metrics.throughput_samples_per_s

    def interval(self, x: int) -> tuple[float, float]:
        return self.points[x].metrics.throughput_ci95


def _x(result: PerformanceResult, axis: str) -> int | None:
    config = result.config
    if axis == "batch_size":
        return config.batch_size
    if axis == "threads":
        return config.threads
    return config.shape.get("seq_len")


def _fixed(result: PerformanceResult, axis: str, fixed: dict[str, int]) -> bool:
    """Does the result hold the other axes at the sweep's fixed values (so it belongs to ``axis``'s series)?"""
    config = result.config
    cores = result.environment.cpu_cores_logical if config.device == "cpu" else config.threads
    checks = {
        "batch_size": lambda: config.batch_size == fixed["batch_size"],
        "threads": lambda: config.threads == cores,
        "seq_len": lambda: config.shape.get("seq_len", fixed["seq_len"]) == fixed["seq_len"],
    }
    return all(checks[other]() for other in AXES if other != axis)


def build_series(results: Iterable[PerformanceResult], fixed: dict[str, int]) -> list[Series]:
    """Every series with at least two points; within a series the latest result at each x counts.

    ``fixed`` holds the values an axis takes when another axis is swept (the suite's fixed batch and sequence
    length). A batch series is at full threads and the standard sequence length; a thread series at the fixed
    batch; a sequence series at the fixed batch and full threads. Only tasks with a ``seq_len`` get sequence series.
    """
    found: dict[SeriesKey, Series] = {}
    for result in sorted(results, key=lambda r: r.finished_at):
        if result.status is not Status.ok or result.metrics is None:
            continue
        c = result.config
        for axis in AXES:
            if axis == "seq_len" and "seq_len" not in c.shape:
                continue
            if not _fixed(result, axis, fixed):
                continue
            key = SeriesKey(result.environment.machine_label, c.device, c.task, c.phase.value, axis,
                            c.framework, c.mode.value, c.precision.value)
            found.setdefault(key, Series(key)).points[_x(result, axis)] = result
    return [series for series in found.values() if len(series.points) >= 2]


def panels(series: list[Series]) -> dict[tuple[str, str, str, str, str], list[Series]]:
    grouped: dict[tuple[str, str, str, str, str], list[Series]] = defaultdict(list)
    for item in series:
        grouped[item.key.panel].append(item)
    return dict(grouped)


# --- Crossovers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Crossover:
    """Between ``x_before`` and ``x_after`` the faster setup changes from ``leader_before`` to ``leader_after``."""

    axis: str
    x_before: int
    x_after: int
    leader_before: SeriesKey
    leader_after: SeriesKey
    decided: bool  # both points' intervals are apart; otherwise the change is inside the noise


def _lead(a: Series, b: Series, x: int) -> tuple[int, bool]:
    """+1 if a is faster at x, -1 if b is; and whether the two 95% intervals are apart."""
    low_a, high_a = a.interval(x)
    low_b, high_b = b.interval(x)
    sign = 1 if a.throughput(x) > b.throughput(x) else -1
    return sign, low_a > high_b or low_b > high_a


def crossovers(a: Series, b: Series) -> list[Crossover]:
    common = sorted(set(a.points) & set(b.points))
    found = []
    for before, after in zip(common, common[1:], strict=False):
        (sign_before, apart_before), (sign_after, apart_after) = _lead(a, b, before), _lead(a, b, after)
        if sign_before != sign_after:
            first, second = (a, b) if sign_before > 0 else (b, a)
            found.append(Crossover(a.key.axis, before, after, first.key, second.key, apart_before and apart_after))
    return found


def cross_framework_crossovers(panel: list[Series]) -> list[Crossover]:
    """Crossovers between every setup of one framework and every setup of the other, in one panel."""
    found = []
    for i, a in enumerate(panel):
        for b in panel[i + 1:]:
            if a.key.framework != b.key.framework and a.key.precision == b.key.precision:
                found.extend(crossovers(a, b))
    return sorted(found, key=lambda c: (c.x_before, c.leader_before.framework, c.leader_before.mode,
                                        c.leader_after.mode))


@dataclass(frozen=True)
class Leader:
    x: int
    framework: str
    mode: str
    ratio: float  # the leader's best throughput over the other framework's best
    decided: bool


def best_of_each(panel: list[Series]) -> list[Leader]:
    """At each x measured in both frameworks: each framework's fastest mode, and which framework leads by how much."""
    by_framework: dict[str, list[Series]] = defaultdict(list)
    for item in panel:
        by_framework[item.key.framework].append(item)
    if len(by_framework) != 2:
        return []
    (_, first), (_, second) = sorted(by_framework.items())
    xs = sorted(set().union(*(s.points for s in first)) & set().union(*(s.points for s in second)))
    leaders = []
    for x in xs:
        best_a = max((s for s in first if x in s.points), key=lambda s: s.throughput(x))
        best_b = max((s for s in second if x in s.points), key=lambda s: s.throughput(x))
        sign, apart = _lead(best_a, best_b, x)
        win, lose = (best_a, best_b) if sign > 0 else (best_b, best_a)
        leaders.append(Leader(x, win.key.framework, win.key.mode, win.throughput(x) / lose.throughput(x), apart))
    return leaders


# --- Cost model -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostModel:
    """step time ≈ fixed_s + per_sample_s · batch, fitted on every raw repeat of a batch series."""

    key: SeriesKey
    fixed_s: float
    fixed_ci95: tuple[float, float]
    per_sample_s: float
    per_sample_ci95: tuple[float, float]
    relative_rms: float  # RMS of (measured − fitted) / measured over the repeats: how well a line describes them
    points: int

    def fixed_share(self, batch: int) -> float:
        """Share of a step at ``batch`` that is the fixed cost."""
        return self.fixed_s / (self.fixed_s + self.per_sample_s * batch)


def _step_times(result: PerformanceResult) -> list[float]:
    timing = result.timing
    steps = result.config.measured_steps
    return [t / steps for t in timing.repeat_times_s] if timing else []


def cost_model(series: Series) -> CostModel | None:
    """None for fewer than three batch sizes: two points always fit a line exactly and say nothing about it.

    Least squares on relative residuals (each repeat's error as a share of its own step time), so a batch-1 step
    of 30 ms counts as much as a batch-32 step of 1 s, and with a ≥ 0, b ≥ 0: a negative fixed cost has no
    meaning, and where the per-sample cost itself grows with the batch (caches overflow) an unbounded line would
    report one. ``relative_rms`` says how far the line is from the repeats; the intervals come from the fit's
    covariance (Student's t, n − 2 degrees of freedom).
    """
    if series.key.axis != "batch_size" or len(series.points) < 3:
        return None
    xs, ys = [], []
    for batch, result in series.points.items():
        for step in _step_times(result):
            xs.append(float(batch))
            ys.append(step)
    x, y = np.asarray(xs), np.asarray(ys)
    (fixed, per_sample), covariance = optimize.curve_fit(
        lambda b, a, slope: a + slope * b, x, y, p0=(float(y.min()) / 2, float(np.median(y / x)) / 2),
        sigma=y, bounds=([0.0, 0.0], [np.inf, np.inf]))
    t = scipy_stats.t.ppf(0.975, len(x) - 2)
    err_a, err_b = (t * float(np.sqrt(v)) if np.isfinite(v) else float("nan") for v in np.diag(covariance))
    relative = (y - (fixed + per_sample * x)) / y
    return CostModel(series.key, float(fixed), (max(0.0, fixed - err_a), fixed + err_a), float(per_sample),
                     (max(0.0, per_sample - err_b), per_sample + err_b), float(np.sqrt(np.mean(relative**2))),
                     len(x))


# --- Threads ----------------------------------------------------------------------------------------------------


def scaling_efficiency(series: Series) -> dict[int, float]:
    """Throughput at n threads over n × throughput at 1 thread: 1.0 is perfect scaling. Empty without 1 thread."""
    if series.key.axis != "threads" or 1 not in series.points:
        return {}
    single = series.throughput(1)
    return {n: series.throughput(n) / (n * single) for n in series.xs()}
