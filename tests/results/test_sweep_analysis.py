"""The sweep analysis on results with known answers: series, crossovers, the cost model, thread scaling."""

from __future__ import annotations

import pytest

from generator.results import sweeps
from generator.site.sweeps import FIXED
from tests.results import sweep_factory


@pytest.fixture(scope="module")
def panels():
    return sweeps.panels(sweeps.build_series(sweep_factory.sweep(), FIXED))


def _panel(panels, task, phase, axis):
    return next(p for key, p in panels.items() if key[2:] == (task, phase, axis))


def test_each_point_lands_on_every_axis_it_belongs_to(panels):
    batch = _panel(panels, "image-classification", "inference", "batch_size")
    assert {len(s.points) for s in batch} == {6}
    threads = _panel(panels, "image-classification", "inference", "threads")
    assert {tuple(s.xs()) for s in threads} == {(1, 2)}  # the 2-thread point is the batch sweep's batch 8
    lengths = _panel(panels, "sentiment-analysis", "inference", "seq_len")
    assert {tuple(s.xs()) for s in lengths} == {(32, 64, 128, 256, 512)}


def test_the_crossover_is_found_between_the_right_points_and_the_right_way_round(panels):
    found = sweeps.cross_framework_crossovers(_panel(panels, "image-classification", "inference", "batch_size"))
    assert [(c.x_before, c.x_after) for c in found] == [(2, 4)] and found[0].decided
    assert (found[0].leader_before.framework, found[0].leader_after.framework) == ("pytorch", "tensorflow")


def test_best_of_each_names_the_leader_and_its_margin_at_every_point(panels):
    leaders = sweeps.best_of_each(_panel(panels, "image-classification", "inference", "batch_size"))
    assert [leader.framework for leader in leaders] == ["pytorch"] * 2 + ["tensorflow"] * 4
    assert leaders[0].ratio == pytest.approx(0.13 / 0.07, rel=0.02)  # step-time ratio = throughput ratio
    assert leaders[0].decided


def test_a_swap_inside_the_noise_is_not_called_a_decided_crossover():
    a = sweeps.Series(sweeps.SeriesKey("m", "cpu", "t", "inference", "batch_size", "pytorch", "eager", "fp32"))
    b = sweeps.Series(sweeps.SeriesKey("m", "cpu", "t", "inference", "batch_size", "tensorflow", "graph", "fp32"))
    for batch, (step_a, step_b) in {1: (0.100, 0.101), 2: (0.201, 0.200)}.items():
        a.points[batch] = sweep_factory.point("pytorch", "eager", batch=batch, step_time_s=step_a)
        b.points[batch] = sweep_factory.point("tensorflow", "graph", batch=batch, step_time_s=step_b)
    [crossing] = sweeps.crossovers(a, b)
    assert not crossing.decided


def test_the_cost_model_recovers_the_fixed_and_per_sample_cost(panels):
    models = {s.key.framework: sweeps.cost_model(s)
              for s in _panel(panels, "image-classification", "inference", "batch_size")}
    for (framework, _mode), (fixed, per_sample) in sweep_factory.COSTS.items():
        model = models[framework]
        assert model.points == 6 * 3
        assert model.fixed_s == pytest.approx(fixed, abs=0.01)
        assert model.per_sample_s == pytest.approx(per_sample, rel=0.05)
        assert model.fixed_ci95[0] <= model.fixed_s <= model.fixed_ci95[1]
        assert model.relative_rms < 0.03  # the factory's repeats spread by ±2% around the line
    assert models["tensorflow"].fixed_share(1) > models["pytorch"].fixed_share(1)


def test_no_cost_model_from_two_points_or_another_axis(panels):
    for series in _panel(panels, "image-classification", "inference", "threads"):
        assert sweeps.cost_model(series) is None


def test_scaling_efficiency_is_speedup_over_threads(panels):
    for series in _panel(panels, "image-classification", "inference", "threads"):
        speedup = sweep_factory.THREAD_SPEEDUP[(series.key.framework, series.key.mode)]
        efficiency = sweeps.scaling_efficiency(series)
        assert efficiency[1] == pytest.approx(1.0)
        assert efficiency[2] == pytest.approx(speedup / 2, rel=0.01)


def test_a_per_sample_cost_that_grows_with_the_batch_never_gives_a_negative_fixed_cost():
    """Measured here: throughput falling from batch 8 to 32 (caches overflow) made an unbounded line's intercept
    negative. The bounded fit keeps a ≥ 0 and says, through its error, that a line fits poorly."""
    series = sweeps.Series(sweeps.SeriesKey("m", "cpu", "t", "inference", "batch_size", "pytorch", "eager", "fp32"))
    for batch in (1, 2, 4, 8, 16, 32):
        series.points[batch] = sweep_factory.point("pytorch", "eager", batch=batch,
                                                   step_time_s=0.03 * batch * (1 + batch / 16))
    model = sweeps.cost_model(series)
    assert model.fixed_s >= 0 and model.fixed_ci95[0] >= 0
    assert model.relative_rms > 0.1
