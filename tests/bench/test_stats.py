"""The statistics a result reports: median, bootstrap interval, percentiles, FLOP/s and utilisation."""

from __future__ import annotations

import numpy as np
import pytest

from generator.bench import methodology, stats


def test_bootstrap_interval_contains_the_median_and_is_reproducible():
    times = [1.00, 1.02, 0.98, 1.10, 0.99, 1.01, 1.03]
    low, high = stats.bootstrap_median_ci(times)
    assert low <= np.median(times) <= high
    assert min(times) <= low and high <= max(times)
    assert stats.bootstrap_median_ci(times) == (low, high)  # seeded


def test_bootstrap_interval_narrows_with_less_noise():
    rng = np.random.default_rng(1)
    noisy, quiet = 1 + 0.2 * rng.standard_normal(15), 1 + 0.01 * rng.standard_normal(15)
    def width(xs):
        return np.subtract(*stats.bootstrap_median_ci(xs)[::-1])
    assert width(quiet) < width(noisy) / 5


def test_a_single_repeat_gives_a_degenerate_interval():
    assert stats.bootstrap_median_ci([2.5]) == (2.5, 2.5)


def test_latency_percentiles_are_in_milliseconds():
    step_times = [i / 1000 for i in range(1, 101)]  # 1 ms … 100 ms
    p = stats.latency_percentiles_ms(step_times)
    assert set(p) == set(methodology.LATENCY_PERCENTILES)
    assert p[50] == pytest.approx(50.5) and p[90] == pytest.approx(90.1) and p[99] == pytest.approx(99.01)


def test_throughput_is_that_of_the_median_repeat_and_its_interval_brackets_it():
    summary = stats.throughput_summary([2.0, 1.0, 4.0], samples_per_repeat=8)
    assert summary["throughput_samples_per_s"] == pytest.approx(8 / 2.0)
    low, high = summary["throughput_ci95"]
    assert low <= summary["throughput_samples_per_s"] <= high


def _payload(first=1.5, repeats=(0.3, 0.3, 0.3), steps=None):
    steps = steps or [0.1] * 9
    return {"measurement": {"first_step_s": first, "repeat_times_s": list(repeats), "step_times_s": steps},
            "peak_memory_mb": 100.0, "memory_kind": "host-rss-delta", "forward_flops_per_sample": 1e9,
            "parameter_count": 10}


def test_training_counts_three_forward_passes_and_utilisation_uses_the_calibrated_peak():
    m = stats.run_metrics(batch_size=4, measured_steps=3, train=True, compiled=False, payload=_payload(),
                          peak_flops_per_s=1e12)
    assert m["throughput_samples_per_s"] == pytest.approx(4 * 3 / 0.3)
    assert m["flops_per_sample"] == 3e9
    assert m["achieved_flops_per_s"] == pytest.approx(3e9 * 40)
    assert m["utilisation"] == pytest.approx(3e9 * 40 / 1e12)
    assert m["step_time_s_median"] == pytest.approx(0.1)
    assert m["compile_s"] is None and m["latency_ms_p50"] is None  # eager; batch > 1


def test_batch_one_reports_latency_and_compiled_mode_reports_compile_time():
    m = stats.run_metrics(batch_size=1, measured_steps=3, train=False, compiled=True, payload=_payload(),
                          peak_flops_per_s=None)
    assert m["flops_per_sample"] == 1e9 and m["utilisation"] is None
    assert m["latency_ms_p50"] == pytest.approx(100.0)
    assert m["compile_s"] == pytest.approx(1.5 - 0.1)
