"""Do the two frameworks reach the same accuracy? Summaries over seeds and a test of the difference.

Framework-free (NumPy and SciPy only): the site's accuracy page and the fact-check of the article's accuracy
claims call :func:`summarise` on the loaded results.

Which test, and why: a **paired t-test** on the per-seed final test accuracies (TensorFlow − PyTorch).
A seed fixes the initial weights, the data order and the augmentation for *both* frameworks, so the two runs of
a seed are a matched pair: most of the seed-to-seed spread (a lucky initialisation, an easy order) is shared by
the pair and cancels in its difference, which is what the framework could cause. A test that ignores the
pairing (Welch's t-test on two independent samples) would count that shared spread as noise and lose power.
The t-test assumes the per-seed differences are roughly normal; with 5–10 seeds that cannot be checked much,
which is why the page also shows every seed's pair. (A Wilcoxon signed-rank test drops the normality assumption,
but with 5 pairs its smallest possible two-sided p is 0.0625, so it could never report a difference.)
Welch's t-test is used only when the seeds do not pair up (results from different seed sets or settings).
The 95% confidence interval of the mean difference is the t interval that goes with the test; the verdict reads
"no significant difference" when p ≥ 0.05, otherwise "<framework> ahead by X ± Y points" (percentage points,
± the half-width of that interval).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

# scipy.special, not scipy.stats: the same Student-t functions scipy.stats.t calls, without the ~1 s import of
# scipy.stats that every site build would pay (tests check the results against scipy.stats).
from scipy.special import stdtr, stdtrit

from generator.results.schema import AccuracyResult, Status

ALPHA = 0.05
FRAMEWORK_ORDER = ("tensorflow", "pytorch")
FRAMEWORK_NAMES = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}
TEST_RATIONALE = (
    "Paired t-test on each seed's final test accuracy (TensorFlow − PyTorch): a seed gives both frameworks the "
    "same initial weights, data order and augmentation, so its two runs are a matched pair and the seed-to-seed "
    "spread they share cancels in the difference. Welch's t-test is used only when runs do not pair up by seed."
)


class NoAccuracyResults(ValueError):
    """There is nothing to summarise (no ok accuracy results for the selection)."""


@dataclass(frozen=True)
class Spread:
    """Mean, sample standard deviation and the t-based 95% confidence interval of the mean over seeds."""

    n: int
    mean: float
    std: float | None  # None for n = 1
    ci95: tuple[float, float] | None
    minimum: float
    maximum: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        data = np.asarray(list(values), dtype=np.float64)
        if data.size == 0:
            raise ValueError("no values")
        mean = float(data.mean())
        if data.size == 1:
            return cls(1, mean, None, None, mean, mean)
        std = float(data.std(ddof=1))
        half = _t_quantile(data.size - 1) * std / math.sqrt(data.size)
        return cls(int(data.size), mean, std, (mean - half, mean + half), float(data.min()), float(data.max()))


@dataclass(frozen=True)
class CurvePoint:
    epoch: int
    n: int
    test_accuracy_mean: float
    test_accuracy_std: float
    train_loss_mean: float
    train_loss_std: float


@dataclass(frozen=True)
class FrameworkSummary:
    framework: str
    framework_versions: tuple[str, ...]
    seeds: tuple[int, ...]
    result_ids: tuple[str, ...]
    seed_accuracies: tuple[tuple[int, float], ...]  # (seed, final test accuracy), by seed
    final_accuracy: Spread
    initial_loss: Spread | None
    reached_target: int  # seeds whose test accuracy reached the target in some epoch
    time_to_target_s: Spread | None  # over the seeds that reached it
    curve: tuple[CurvePoint, ...]
    busy_runs: int  # runs on a loaded machine: their times are less trustworthy, their accuracies are not


@dataclass(frozen=True)
class DifferenceTest:
    name: str  # "paired t-test" or "Welch's t-test"
    paired: bool
    n: int  # pairs (paired) or runs in all (Welch)
    mean_difference: float  # first framework − second, as a fraction (0.01 = 1 point)
    ci95: tuple[float, float] | None
    statistic: float | None
    df: float | None
    p_value: float
    per_seed_differences: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class AccuracyComparison:
    task: str
    dataset: str
    config_id: str
    epochs: int
    target_accuracy: float | None
    config: dict[str, object]
    frameworks: dict[str, FrameworkSummary]
    test: DifferenceTest | None
    significant: bool
    verdict: str
    alpha: float = ALPHA
    rationale: str = TEST_RATIONALE
    max_initial_loss_gap: float | None = None  # largest |initial loss TF − PT| over paired seeds
    same_initial_weights: bool | None = None  # every pair started from byte-identical weights
    same_data: bool | None = None  # every pair trained on byte-identical batches
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def difference_points(self) -> float | None:
        return None if self.test is None else 100 * self.test.mean_difference


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _key(result: AccuracyResult) -> tuple[str, str, str]:
    return result.task, result.dataset, str(result.config.get("config_id", ""))


def _latest_per_seed(results: list[AccuracyResult]) -> dict[str, dict[int, AccuracyResult]]:
    chosen: dict[str, dict[int, AccuracyResult]] = {}
    for result in sorted(results, key=lambda r: r.finished_at):
        chosen.setdefault(result.framework, {})[result.seed] = result  # a rerun replaces the earlier run
    return chosen


def _framework_summary(framework: str, runs: dict[int, AccuracyResult]) -> FrameworkSummary:
    ordered = [runs[seed] for seed in sorted(runs)]
    epochs = min(len(r.epochs) for r in ordered)
    curve = []
    for index in range(epochs):
        accuracies = np.array([r.epochs[index].test_accuracy for r in ordered])
        losses = np.array([r.epochs[index].train_loss for r in ordered])
        ddof = 1 if len(ordered) > 1 else 0
        curve.append(CurvePoint(index + 1, len(ordered), float(accuracies.mean()), float(accuracies.std(ddof=ddof)),
                                float(losses.mean()), float(losses.std(ddof=ddof))))
    reached = [r.time_to_target_s for r in ordered if r.time_to_target_s is not None]
    initial = [r.initial_loss for r in ordered if r.initial_loss is not None]
    return FrameworkSummary(
        framework=framework,
        framework_versions=tuple(sorted({r.environment.framework_version for r in ordered})),
        seeds=tuple(sorted(runs)),
        result_ids=tuple(r.result_id for r in ordered),
        seed_accuracies=tuple((r.seed, float(r.final_test_accuracy)) for r in ordered),  # type: ignore[arg-type]
        final_accuracy=Spread.of(r.final_test_accuracy for r in ordered),  # type: ignore[misc]
        initial_loss=Spread.of(initial) if initial else None,
        reached_target=len(reached),
        time_to_target_s=Spread.of(reached) if reached else None,
        curve=tuple(curve),
        busy_runs=sum(r.environment.busy for r in ordered),
    )


def _t_quantile(df: float) -> float:
    """The Student-t quantile for a two-sided (1 − ALPHA) interval."""
    return float(stdtrit(df, 1 - ALPHA / 2))


def _two_sided_p(statistic: float, df: float) -> float:
    return float(2 * stdtr(df, -abs(statistic)))


def paired_test(first: dict[int, float], second: dict[int, float]) -> DifferenceTest:
    seeds = sorted(set(first) & set(second))
    diffs = np.array([first[s] - second[s] for s in seeds], dtype=np.float64)
    per_seed = tuple((s, float(d)) for s, d in zip(seeds, diffs))
    mean = float(diffs.mean())
    if len(diffs) < 2:
        return DifferenceTest("paired t-test", True, len(diffs), mean, None, None, None, 1.0, per_seed)
    df = len(diffs) - 1
    sd = float(diffs.std(ddof=1))
    if sd == 0.0:  # every seed gives the same difference: no spread to test against
        return DifferenceTest("paired t-test", True, len(diffs), mean, (mean, mean), None, float(df),
                              1.0 if mean == 0 else 0.0, per_seed)
    standard_error = sd / math.sqrt(len(diffs))
    statistic = mean / standard_error
    p_value = _two_sided_p(statistic, df)
    half = _t_quantile(df) * standard_error
    return DifferenceTest("paired t-test", True, len(diffs), mean, (mean - half, mean + half), float(statistic),
                          float(df), float(p_value), per_seed)


def welch_test(first: list[float], second: list[float]) -> DifferenceTest:
    a, b = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    mean = float(a.mean() - b.mean())
    n = len(a) + len(b)
    if len(a) < 2 or len(b) < 2:
        return DifferenceTest("Welch's t-test", False, n, mean, None, None, None, 1.0)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return DifferenceTest("Welch's t-test", False, n, mean, (mean, mean), None, None, 1.0 if mean == 0 else 0.0)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    statistic = mean / math.sqrt(va + vb)
    p_value = _two_sided_p(statistic, df)
    half = _t_quantile(df) * math.sqrt(va + vb)
    return DifferenceTest("Welch's t-test", False, n, mean, (mean - half, mean + half), float(statistic), float(df),
                          float(p_value))


def _verdict(summaries: dict[str, FrameworkSummary], test: DifferenceTest | None) -> tuple[bool, str]:
    present = [FRAMEWORK_NAMES.get(f, f) for f in summaries]
    if test is None:
        return False, f"Only {' and '.join(present) or 'no'} results: nothing to compare yet."
    first, second = (FRAMEWORK_NAMES[f] for f in FRAMEWORK_ORDER)
    means = "; ".join(
        f"{FRAMEWORK_NAMES.get(f, f)} {100 * s.final_accuracy.mean:.2f}%" for f, s in summaries.items()
    )
    how = f"{test.name} over {test.n} {'seeds' if test.paired else 'runs'}, {format_p(test.p_value)}"
    if test.statistic is None and test.ci95 is None:  # fewer than two pairs (or runs per framework)
        return False, f"Too few seeds to test the difference ({means}); run at least 5 seeds per framework."
    if test.statistic is None and test.mean_difference == 0 and test.n >= 2:
        return False, f"No difference: identical final accuracy in every seed ({means}; {test.name})."
    significant = test.p_value < ALPHA
    if not significant:
        return False, f"No significant difference ({means} mean final test accuracy; {how})."
    leader = first if test.mean_difference > 0 else second
    points = abs(100 * test.mean_difference)
    half = "" if test.ci95 is None else f" ± {100 * (test.ci95[1] - test.ci95[0]) / 2:.2f}"
    return True, f"{leader} ahead by {points:.2f}{half} points (95% CI; {means}; {how})."


def _comparison(results: list[AccuracyResult]) -> AccuracyComparison:
    latest = _latest_per_seed(results)
    summaries = {f: _framework_summary(f, latest[f]) for f in FRAMEWORK_ORDER if latest.get(f)}
    summaries |= {f: _framework_summary(f, runs) for f, runs in latest.items() if f not in summaries}
    test: DifferenceTest | None = None
    notes: list[str] = []
    gap = same_init = same_data = None
    tf_runs, pt_runs = latest.get("tensorflow", {}), latest.get("pytorch", {})
    if tf_runs and pt_runs:
        paired_seeds = sorted(set(tf_runs) & set(pt_runs))
        if paired_seeds:
            test = paired_test({s: tf_runs[s].final_test_accuracy for s in paired_seeds},  # type: ignore[misc]
                               {s: pt_runs[s].final_test_accuracy for s in paired_seeds})
            unpaired = sorted(set(tf_runs) ^ set(pt_runs))
            if unpaired:
                notes.append(f"Seeds run in one framework only, left out of the test: {unpaired}.")
        else:
            test = welch_test([r.final_test_accuracy for r in tf_runs.values()],  # type: ignore[misc]
                              [r.final_test_accuracy for r in pt_runs.values()])
        pairs = [(tf_runs[s], pt_runs[s]) for s in paired_seeds]
        if pairs:
            same_init = all(a.config.get("init_weights_sha256") == b.config.get("init_weights_sha256") for a, b in pairs)
            same_data = all(a.config.get("data_sha256") == b.config.get("data_sha256") for a, b in pairs)
            gaps = [abs(a.initial_loss - b.initial_loss) for a, b in pairs
                    if a.initial_loss is not None and b.initial_loss is not None]
            gap = max(gaps) if gaps else None
    significant, verdict = _verdict(summaries, test)
    reference = max(results, key=lambda r: r.finished_at)
    shared = {k: v for k, v in reference.config.items()
              if k not in {"init_weights_sha256", "data_sha256", "foreign_cpu_share"}}
    return AccuracyComparison(
        task=reference.task,
        dataset=reference.dataset,
        config_id=str(reference.config.get("config_id", "")),
        epochs=min(len(s.curve) for s in summaries.values()),
        target_accuracy=reference.target_accuracy,
        config=shared,
        frameworks=summaries,
        test=test,
        significant=significant,
        verdict=verdict,
        max_initial_loss_gap=gap,
        same_initial_weights=same_init,
        same_data=same_data,
        notes=tuple(notes),
    )


def _usable(results: Iterable[object]) -> list[AccuracyResult]:
    return [r for r in results if isinstance(r, AccuracyResult) and r.status is Status.ok
            and r.final_test_accuracy is not None and r.epochs]


def summarise_all(results: Iterable[object]) -> list[AccuracyComparison]:
    """One comparison per (task, dataset, settings), newest first. Non-accuracy and failed results are ignored."""
    groups: dict[tuple[str, str, str], list[AccuracyResult]] = {}
    for result in _usable(results):
        groups.setdefault(_key(result), []).append(result)
    comparisons = [_comparison(group) for group in groups.values()]
    newest = {_key(group[0]): max(r.finished_at for r in group) for group in groups.values()}
    return sorted(comparisons, key=lambda c: newest[(c.task, c.dataset, c.config_id)], reverse=True)


def summarise(results: Iterable[object], dataset: str | None = None,
              config_id: str | None = None) -> AccuracyComparison:
    """The comparison of the newest settings (optionally of one dataset / settings id).

    ``results`` may be any mix of result objects (e.g. ``ResultSet.results``); raises :class:`NoAccuracyResults`
    when no ok accuracy result matches.
    """
    comparisons = [c for c in summarise_all(results)
                   if (dataset is None or c.dataset == dataset) and (config_id is None or c.config_id == config_id)]
    if not comparisons:
        raise NoAccuracyResults("no ok accuracy results" + (f" for dataset {dataset!r}" if dataset else ""))
    return comparisons[0]
