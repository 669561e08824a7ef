"""The weight comparison: equal runs pass, a wrong gradient average or different starting weights fail."""

from __future__ import annotations

import numpy as np
import pytest

from generator.bench.distributed import equivalence


def _save(folder, name, weights):
    path = folder / f"{name}.npz"
    np.savez(path, **weights)
    return path


@pytest.fixture
def reference(tmp_path):
    rng = np.random.default_rng(0)
    initial = {"conv.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
               "fc.bias": np.zeros(5, np.float32), "unused.weight": np.ones(3, np.float32)}
    update = {"conv.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.01,
              "fc.bias": rng.standard_normal(5).astype(np.float32) * 0.01, "unused.weight": np.zeros(3, np.float32)}
    after = {name: initial[name] - update[name] for name in initial}
    return tmp_path, initial, update, after


def _compare(folder, initial, after, run_initial, run_after):
    paths = [_save(folder, name, w) for name, w in
             (("r0", initial), ("r1", after), ("i", run_initial), ("a", run_after))]
    return equivalence.compare(*paths, reference="test")


def test_the_same_step_passes(reference):
    folder, initial, _, after = reference
    check = _compare(folder, initial, after, initial, {k: v.copy() for k, v in after.items()})
    assert check.passed and check.max_abs_diff == 0 and check.max_rel_diff == 0 and check.tensors == 3


def test_float32_rounding_of_the_update_passes(reference):
    folder, initial, update, _ = reference
    nudged = {name: initial[name] - update[name] * np.float32(1 + 1e-5) for name in initial}
    check = _compare(folder, initial, {n: initial[n] - update[n] for n in initial}, initial, nudged)
    assert check.passed and 0 < check.max_rel_diff < 1e-3


@pytest.mark.parametrize("factor", [2.0, 0.5])  # summed instead of averaged; one worker's gradients left out
def test_a_wrong_gradient_average_fails(reference, factor):
    folder, initial, update, after = reference
    wrong = {name: initial[name] - update[name] * factor for name in initial}
    check = _compare(folder, initial, after, initial, wrong)
    assert not check.passed and check.max_rel_diff == pytest.approx(abs(factor - 1), rel=1e-3)
    assert check.worst_tensor in ("conv.weight", "fc.bias")


def test_different_starting_weights_fail(reference):
    folder, initial, _, after = reference
    shifted = {name: w + 0.1 for name, w in initial.items()}
    check = _compare(folder, initial, after, shifted, {n: w + 0.1 for n, w in after.items()})
    assert not check.passed and check.initial_max_abs_diff == pytest.approx(0.1, rel=1e-3)


def test_a_tensor_that_should_not_move_but_does_fails(reference):
    folder, initial, _, after = reference
    moved = {**after, "unused.weight": after["unused.weight"] + 1e-3}
    assert not _compare(folder, initial, after, initial, moved).passed


def test_a_different_set_of_tensors_is_an_error(reference):
    folder, initial, _, after = reference
    with pytest.raises(ValueError, match="different tensors"):
        _compare(folder, initial, after, initial, {k: v for k, v in after.items() if k != "fc.bias"})
