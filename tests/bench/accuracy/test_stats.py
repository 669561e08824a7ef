"""The comparison the site and the fact-check read: spreads, the paired test, and the verdict's wording."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as scipy_stats

from generator.bench.accuracy.stats import (
    NoAccuracyResults,
    Spread,
    paired_test,
    summarise,
    summarise_all,
    welch_test,
)
from generator.results.schema import Status

from .factory import accuracy_result, paired_set

TF = [0.990, 0.985, 0.992, 0.988, 0.991]
PT = [0.989, 0.987, 0.990, 0.989, 0.990]


def test_spread_matches_textbook_formulas():
    values = [0.97, 0.98, 0.99, 0.985, 0.975]
    spread = Spread.of(values)
    assert spread.mean == pytest.approx(np.mean(values))
    assert spread.std == pytest.approx(np.std(values, ddof=1))
    half = scipy_stats.t.ppf(0.975, 4) * np.std(values, ddof=1) / math.sqrt(5)
    assert spread.ci95 == pytest.approx((np.mean(values) - half, np.mean(values) + half))
    assert (spread.minimum, spread.maximum) == (0.97, 0.99)
    single = Spread.of([0.9])
    assert single.std is None and single.ci95 is None


def test_paired_test_agrees_with_scipy():
    test = paired_test(dict(enumerate(TF)), dict(enumerate(PT)))
    expected = scipy_stats.ttest_rel(TF, PT)
    assert test.paired and test.n == 5 and test.df == 4
    assert test.p_value == pytest.approx(expected.pvalue)
    assert test.statistic == pytest.approx(expected.statistic)
    assert test.mean_difference == pytest.approx(np.mean(np.subtract(TF, PT)))
    low, high = test.ci95
    assert low < test.mean_difference < high


def test_pairing_removes_the_shared_seed_spread():
    # Seeds differ a lot from each other, but TensorFlow is always 0.2 points ahead (± a little): the paired test
    # sees it, Welch's test (which ignores the pairing) drowns it in the seed-to-seed spread.
    base = [0.95, 0.97, 0.99, 0.96, 0.98, 0.94]
    tf = [b + 0.002 + (0.0002 if i % 2 else -0.0002) for i, b in enumerate(base)]
    paired = paired_test(dict(enumerate(tf)), dict(enumerate(base)))
    unpaired = welch_test(tf, base)
    assert paired.p_value < 0.001 < 0.5 < unpaired.p_value


def test_no_significant_difference_verdict():
    comparison = summarise(paired_set(TF, PT))
    assert not comparison.significant
    assert comparison.test.name == "paired t-test"
    assert comparison.verdict.startswith("No significant difference")
    assert "paired t-test over 5 seeds" in comparison.verdict and "p = " in comparison.verdict
    assert comparison.same_initial_weights and comparison.same_data
    assert comparison.max_initial_loss_gap == 0.0


def test_significant_difference_names_the_leader_with_its_interval():
    pt = [a - 0.01 + d for a, d in zip(TF, [0.001, -0.001, 0.0005, 0.0, -0.0005])]
    comparison = summarise(paired_set(TF, pt))
    assert comparison.significant
    half = 100 * (comparison.test.ci95[1] - comparison.test.ci95[0]) / 2
    assert comparison.verdict.startswith(f"TensorFlow ahead by {100 * comparison.test.mean_difference:.2f} ± {half:.2f} points")
    flipped = summarise(paired_set(pt, TF))
    assert flipped.verdict.startswith("PyTorch ahead by")


def test_identical_results_say_so():
    comparison = summarise(paired_set(TF, TF))
    assert not comparison.significant
    assert comparison.verdict.startswith("No difference: identical final accuracy in every seed")


def test_one_framework_only_is_no_comparison():
    comparison = summarise([accuracy_result("pytorch", s, a) for s, a in enumerate(PT)])
    assert comparison.test is None and not comparison.significant
    assert "nothing to compare" in comparison.verdict


def test_a_single_seed_is_too_few_to_test():
    comparison = summarise(paired_set(TF[:1], PT[:1]))
    assert comparison.test.n == 1 and not comparison.significant
    assert comparison.verdict.startswith("Too few seeds")


def test_unpaired_seeds_fall_back_to_welch():
    results = [accuracy_result("tensorflow", s, a) for s, a in enumerate(TF)]
    results += [accuracy_result("pytorch", s + 10, a) for s, a in enumerate(PT)]
    comparison = summarise(results)
    assert comparison.test.name == "Welch's t-test" and not comparison.test.paired
    assert comparison.test.p_value == pytest.approx(scipy_stats.ttest_ind(TF, PT, equal_var=False).pvalue)


def test_curves_time_to_target_and_filtering():
    results = paired_set(TF, PT, epochs=4)
    results.append(accuracy_result("pytorch", 9, 0.5, status=Status.failed))  # failed runs are left out
    comparison = summarise(results)
    pt = comparison.frameworks["pytorch"]
    assert pt.seeds == (0, 1, 2, 3, 4)
    assert len(pt.curve) == 4 and pt.curve[-1].test_accuracy_mean == pytest.approx(np.mean(PT))
    assert pt.reached_target == 5 and pt.time_to_target_s.mean == pytest.approx(6.0)
    assert list(comparison.frameworks) == ["tensorflow", "pytorch"]


def test_rerun_of_a_seed_replaces_the_earlier_run():
    results = paired_set(TF, PT) + [accuracy_result("pytorch", 0, 0.5, minutes=60)]
    comparison = summarise(results)
    assert dict(comparison.frameworks["pytorch"].seed_accuracies)[0] == pytest.approx(0.5)


def test_groups_by_settings_newest_first_and_selects():
    old = paired_set(TF, PT, config_id="oldsettings")
    new = paired_set(PT, TF, config_id="newsettings", minutes=100)
    comparisons = summarise_all(old + new)
    assert [c.config_id for c in comparisons] == ["newsettings", "oldsettings"]
    assert summarise(old + new).config_id == "newsettings"
    assert summarise(old + new, config_id="oldsettings").config_id == "oldsettings"
    with pytest.raises(NoAccuracyResults):
        summarise(old, dataset="cifar-10")
    with pytest.raises(NoAccuracyResults):
        summarise([])


def test_summarise_imports_no_framework():
    code = ("import sys; import generator.bench.accuracy.stats, generator.bench.accuracy.runner; "
            "bad = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
