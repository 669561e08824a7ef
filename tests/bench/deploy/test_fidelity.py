"""The fidelity check in NumPy: differences, top-1 agreement, and the detector's boxes after NMS."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from generator.bench.deploy import fidelity
from generator.bench.workloads.detection import common as detection
from generator.bench.workloads.detection import torch as detection_torch


def test_identical_outputs_agree_exactly():
    logits = np.random.default_rng(0).standard_normal((8, 10)).astype(np.float32)
    result = fidelity.compare("classifier", "fp32", [logits], [logits.copy()])
    assert result.max_abs_diff == 0 and result.top1_agreement == 1.0 and result.within_tolerance


def test_float_rounding_is_within_the_fp32_tolerance_and_a_real_change_is_not():
    logits = np.random.default_rng(0).standard_normal((8, 10)).astype(np.float32)
    rounding = logits * (1 + 1e-6)
    assert fidelity.compare("classifier", "fp32", [logits], [rounding]).within_tolerance
    changed = logits.copy()
    changed[0, 0] += 0.5
    result = fidelity.compare("classifier", "fp32", [logits], [changed])
    assert not result.within_tolerance
    assert result.max_abs_diff == pytest.approx(0.5, rel=1e-6)
    assert result.max_rel_diff == pytest.approx(0.5 / np.abs(logits).max(), rel=1e-6)


def test_one_flipped_decision_fails_fp32_even_when_the_numbers_are_close():
    logits = np.zeros((4, 2), dtype=np.float32)
    logits[:, 0] = 1e-6  # argmax 0 by a hair
    flipped = logits.copy()
    flipped[0] = [0.0, 2e-6]
    result = fidelity.compare("classifier", "fp32", [logits], [flipped])
    assert result.top1_agreement == 0.75 and not result.within_tolerance


def test_int8_reports_drift_and_is_never_enforced():
    logits = np.random.default_rng(1).standard_normal((8, 10)).astype(np.float32)
    result = fidelity.compare("classifier", "int8-dynamic", [logits], [logits + 0.3])
    assert result.tolerance["enforced"] is False and result.max_abs_diff == pytest.approx(0.3, rel=1e-5)


def test_a_shape_mismatch_is_an_error_not_a_number():
    with pytest.raises(ValueError, match="shape"):
        fidelity.compare("classifier", "fp32", [np.zeros((8, 10))], [np.zeros((1, 10))])


def _raw_head(seed: int, image_size: int = 64) -> list[np.ndarray]:
    """Raw YOLOv8 head outputs like the deployment suite's (class biases 0: scores around 0.5)."""
    rng = np.random.default_rng(seed)
    channels = 4 * detection.REG_MAX + detection.NUM_CLASSES
    return [rng.standard_normal((2, channels, image_size // s, image_size // s)).astype(np.float32)
            for s in detection.STRIDES]


def test_numpy_post_processing_finds_the_boxes_the_pytorch_benchmark_finds():
    raw = _raw_head(0)
    dets, counts = detection_torch.postprocess([torch.from_numpy(a) for a in raw])
    ours = fidelity.detections(raw)
    for image, found in enumerate(ours):
        reference = dets[image, : int(counts[image])].numpy()
        assert len(found) == len(reference) > 0
        box, n_source, n_deployed = fidelity.box_agreement([reference], [found])
        assert box == 1.0 and n_source == n_deployed == len(reference)


def test_a_moved_box_is_unmatched_and_lowers_agreement():
    boxes = fidelity.detections(_raw_head(1))
    moved = [b.copy() for b in boxes]
    moved[0][0, :4] += 20.0  # one box shifted by 20 px: IoU well below the match threshold
    agreement, n_source, n_deployed = fidelity.box_agreement(boxes, moved)
    assert agreement == pytest.approx(1 - 1 / n_source)
    assert n_source == n_deployed


def test_no_boxes_on_either_side_agree_and_say_how_many():
    empty = [np.zeros((0, 6))]
    assert fidelity.box_agreement(empty, empty) == (1.0, 0, 0)
