"""What both frameworks share, checked without either: the split, the batch stream, the schedule, the weights."""

from __future__ import annotations

import numpy as np
import pytest

from generator.bench.accuracy import port
from generator.bench.accuracy.data import epoch_batches, load_digits_split, random_shift, steps_per_epoch
from generator.bench.accuracy.spec import TrainConfig, initial_weights, learning_rates, parameter_shapes

CFG = TrainConfig()


def test_split_is_fixed_stratified_and_disjoint():
    split = load_digits_split(CFG.test_fraction, CFG.split_seed)
    assert split.x_train.shape[1:] == (1, 8, 8) and split.x_train.dtype == np.float32
    assert len(split.y_train) + len(split.y_test) == 1797
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    train_share = np.bincount(split.y_train) / len(split.y_train)
    test_share = np.bincount(split.y_test) / len(split.y_test)
    assert np.abs(train_share - test_share).max() < 0.01  # stratified
    train_rows = {row.tobytes() for row in split.x_train}
    assert sum(row.tobytes() in train_rows for row in split.x_test) < 5  # (the data set has a few duplicate images)


def test_batch_stream_depends_only_on_seed_and_epoch():
    split = load_digits_split()
    first = list(epoch_batches(split, CFG, seed=3, epoch=2))
    again = list(epoch_batches(split, CFG, seed=3, epoch=2))
    other = list(epoch_batches(split, CFG, seed=4, epoch=2))
    assert len(first) == steps_per_epoch(len(split.y_train), CFG.batch_size)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not np.array_equal(first[0][1], other[0][1])
    assert sum(len(y) for _, y in first) == len(split.y_train)
    assert np.array_equal(np.sort(np.concatenate([y for _, y in first])), np.sort(split.y_train))


def test_random_shift_moves_each_image_by_at_most_one_pixel_with_zero_fill():
    image = np.zeros((1, 1, 8, 8), dtype=np.float32)
    image[0, 0, 3, 4] = 1.0
    seen = set()
    for seed in range(40):
        shifted = random_shift(image, np.random.default_rng(seed), 1)
        (y, x), = np.argwhere(shifted[0, 0] == 1.0)
        assert abs(y - 3) <= 1 and abs(x - 4) <= 1 and shifted.sum() == 1.0
        seen.add((y - 3, x - 4))
    assert len(seen) == 9  # every shift in {-1, 0, 1}² occurs
    edge = np.ones((1, 1, 8, 8), dtype=np.float32)
    assert random_shift(edge, np.random.default_rng(0), 1).sum() in {64, 56, 49}  # zeros come in, nothing wraps


def test_learning_rate_schedule_warms_up_then_decays_to_zero():
    steps = steps_per_epoch(1437, CFG.batch_size)
    rates = learning_rates(CFG, steps)
    assert len(rates) == CFG.epochs * steps
    assert rates[steps - 1] == pytest.approx(CFG.peak_learning_rate)
    assert np.all(np.diff(rates[:steps]) > 0) and np.all(np.diff(rates[steps:]) <= 0)
    assert rates[-1] < 1e-3 * CFG.peak_learning_rate


def test_initial_weights_are_seeded_complete_and_torchvision_style():
    weights = initial_weights(CFG, 0)
    port.check_complete(weights, parameter_shapes(CFG))
    assert port.weights_digest(weights) == port.weights_digest(initial_weights(CFG, 0))
    assert port.weights_digest(weights) != port.weights_digest(initial_weights(CFG, 1))
    conv = weights["layer2.0.conv1.weight"]  # fan-out = 32 * 3 * 3
    assert conv.std() == pytest.approx(np.sqrt(2 / (32 * 9)), rel=0.1)
    assert np.all(weights["bn1.weight"] == 1) and np.all(weights["bn1.running_mean"] == 0)
    assert np.all(weights["bn1.running_var"] == 1) and np.abs(weights["fc.bias"]).max() <= 1 / np.sqrt(32)


def test_weights_file_round_trip_and_layout_conversions(tmp_path):
    weights = initial_weights(CFG, 5)
    port.save_weights(tmp_path / "w.npz", weights)
    loaded = port.load_weights(tmp_path / "w.npz")
    assert port.weights_digest(loaded) == port.weights_digest(weights)
    conv = weights["conv1.weight"]
    assert port.conv_to_keras(conv).shape == (3, 3, 1, 16)
    assert np.array_equal(port.conv_from_keras(port.conv_to_keras(conv)), conv)
    assert np.array_equal(port.linear_from_keras(port.linear_to_keras(weights["fc.weight"])), weights["fc.weight"])


def test_incomplete_or_misshaped_weights_are_named():
    weights = initial_weights(CFG, 0)
    missing = {k: v for k, v in weights.items() if k != "fc.bias"}
    with pytest.raises(KeyError, match="fc.bias"):
        port.check_complete(missing, parameter_shapes(CFG))
    wrong = dict(weights, **{"fc.weight": weights["fc.weight"].T})
    with pytest.raises(ValueError, match="fc.weight"):
        port.check_complete(wrong, parameter_shapes(CFG))


def test_config_id_changes_with_any_setting_and_round_trips():
    assert TrainConfig().config_id == TrainConfig().config_id
    assert TrainConfig(epochs=1).config_id != TrainConfig().config_id
    assert TrainConfig.from_dict(TrainConfig(stage_widths=(8, 16)).as_dict()) == TrainConfig(stage_widths=(8, 16))
    flat = TrainConfig().as_result_config()
    assert all(isinstance(v, (str, int, float, bool)) for v in flat.values())
