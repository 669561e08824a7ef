"""YOLOv8n-style detector: the PyTorch and Keras models are the same network with the same post-processing.

Tolerances (float32 on CPU, oneDNN in both frameworks):
- raw head outputs: max |TF - torch| <= 1e-4 x max |torch| (logits of magnitude ~10; measured ~1e-5 relative);
- decoded boxes: 0.02 px (DFL softmax of logits ~10 amplifies the logit differences; measured ~3e-3 px at 128 px),
  class scores 5e-5 (sigmoid' <= 1/4 times the logit tolerance);
- detections after NMS: identical sets (same count, classes; boxes within 0.02 px, scores within 5e-5), on cases
  whose scores and IoUs are checked to lie well away from the thresholds, so equality is meaningful, not luck.
NMS itself is tested on identical decoded inputs against a plain greedy reference, where results must be exact.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import torch

from generator.bench.workloads.base import TASK_PACKAGES
from generator.bench.workloads.detection import common, port
from generator.bench.workloads.detection import tensorflow as tfm
from generator.bench.workloads.detection import torch as ptm
from generator.results.schema import FLOPS_PER_MAC

pytestmark = pytest.mark.bench

SIZE = 128  # test image size: A = 16^2 + 8^2 + 4^2 = 336 anchors
NC = common.NUM_CLASSES
YOLOV8N_PARAMS = (
    3_157_184  # Ultralytics' unfused 3,157,200 minus the DFL conv's 16 fixed weights (see common)
)
YOLOV8N_PARAMS_FUSED = 3_151_904  # Ultralytics' published fused count
YOLOV8N_GFLOPS_640 = 8.7  # Ultralytics' published (fused) figure, printed to 0.1 GFLOPs


# --- helpers ------------------------------------------------------------------------------------------------------


def _nhwc(levels: list[np.ndarray]) -> list[tf.Tensor]:
    return [tf.constant(np.transpose(x, (0, 2, 3, 1))) for x in levels]


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _calibrate(model: torch.nn.Module, images: torch.Tensor, seed: int = 1) -> None:
    """Make random weights numerically meaningful: random BN affine, running stats = this batch's statistics.

    A fresh model's BN (mean 0, var 1) lets activations shrink layer after layer, so outputs would be near-constant
    and an equivalence test near-vacuous; after this the head logits have std ~5.
    """
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.copy_(1 + 0.2 * torch.randn(bn.weight.shape, generator=g))
            bn.bias.copy_(0.2 * torch.randn(bn.bias.shape, generator=g))
            bn.momentum = 1.0
        model.train()(images)
    for bn in bns:
        bn.momentum = common.BN_MOMENTUM_TORCH
    model.eval()


def _set_class_bias(model: torch.nn.Module, value: float) -> None:
    with torch.no_grad():
        for seq in model.model[22].cv3:
            seq[-1].bias.fill_(value)


def _margins(boxes: np.ndarray, scores: np.ndarray) -> tuple[float, float, float]:
    """How far the case is from a tie: min distance of any best-class score from CONF_THRESHOLD, min gap between
    two candidates' scores (their NMS and output order), min distance of a same-class candidate IoU from
    IOU_THRESHOLD."""
    conf_margin, gap, iou_margin = np.inf, np.inf, np.inf
    for b, s in zip(boxes, scores):
        conf, cls = s.max(-1), s.argmax(-1)
        conf_margin = min(conf_margin, np.abs(conf - common.CONF_THRESHOLD).min())
        keep = conf > common.CONF_THRESHOLD
        if keep.sum() > 1:
            gap = min(gap, np.diff(np.sort(conf[keep])).min())
        iou = _np(ptm._box_iou(torch.from_numpy(b[keep])))
        same = (cls[keep][:, None] == cls[keep][None, :]) & ~np.eye(keep.sum(), dtype=bool)
        if same.any():
            iou_margin = min(iou_margin, np.abs(iou[same] - common.IOU_THRESHOLD).min())
    return float(conf_margin), float(gap), float(iou_margin)


def _reference_select(boxes: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain greedy single-label class-aware NMS (Ultralytics' semantics), one box at a time, in NumPy float32."""
    dets = np.zeros((len(boxes), common.MAX_DET, 6), np.float32)
    counts = np.zeros(len(boxes), np.int32)
    for i, (b, s) in enumerate(zip(boxes, scores)):
        conf, cls = s.max(-1), s.argmax(-1)
        cand = np.nonzero(conf > common.CONF_THRESHOLD)[0]
        order = cand[np.argsort(-conf[cand], kind="stable")][: common.MAX_NMS]
        kept: list[int] = []
        for j in order:
            if len(kept) == common.MAX_DET:
                break
            k = np.array([q for q in kept if cls[q] == cls[j]], dtype=int)
            if k.size:
                x1 = np.maximum(b[k, 0], b[j, 0])
                y1 = np.maximum(b[k, 1], b[j, 1])
                x2 = np.minimum(b[k, 2], b[j, 2])
                y2 = np.minimum(b[k, 3], b[j, 3])
                inter = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
                area_k = (b[k, 2] - b[k, 0]) * (b[k, 3] - b[k, 1])
                area_j = (b[j, 2] - b[j, 0]) * (b[j, 3] - b[j, 1])
                if (inter / (area_k + area_j - inter) > common.IOU_THRESHOLD).any():
                    continue
            kept.append(j)
        counts[i] = len(kept)
        dets[i, : len(kept)] = np.concatenate([b[kept], conf[kept, None], cls[kept, None]], 1)
    return dets, counts


def _craft(size: int, batch: int, objects: list[tuple], default_score: float = 1e-9) -> list[np.ndarray]:
    """Raw head outputs (NCHW per level) that decode to given boxes.

    ``objects``: (image, level, gy, gx, (x1, y1, x2, y2) px, class, score). Each side's distance d (grid units) is
    encoded as DFL logits log(1 - frac) and log(frac) on bins floor(d), floor(d) + 1 (others -60), whose softmax
    expectation is d; the class logit is logit(score), every other class logit logit(default_score).
    """
    levels = []
    for s in common.STRIDES:
        n = size // s
        x = np.full((batch, 4 * common.REG_MAX + NC, n, n), -60.0, np.float32)
        x[:, 4 * common.REG_MAX :] = np.log(default_score / (1 - default_score))
        for side in range(4):
            x[:, side * common.REG_MAX + 7] = 0.0  # every other anchor: distance 7 on each side
        levels.append(x)
    for img, lvl, gy, gx, (x1, y1, x2, y2), cls, score in objects:
        s = common.STRIDES[lvl]
        ax, ay = gx + 0.5, gy + 0.5
        dists = (ax - x1 / s, ay - y1 / s, x2 / s - ax, y2 / s - ay)
        x = levels[lvl]
        box = x[img, : 4 * common.REG_MAX, gy, gx].reshape(4, common.REG_MAX)
        box[:] = -60.0
        for side, d in enumerate(dists):
            assert 0 <= d <= common.REG_MAX - 1, (d, img, lvl)
            lo = int(np.floor(d))
            frac = d - lo
            if frac < 1e-9:
                box[side, lo] = 0.0
            else:
                box[side, lo], box[side, lo + 1] = np.log(1 - frac), np.log(frac)
        x[img, : 4 * common.REG_MAX, gy, gx] = box.reshape(-1)
        x[img, 4 * common.REG_MAX + cls, gy, gx] = np.log(score / (1 - score))
    return levels


def _assert_same_detections(a, b, box_atol: float = 1e-3, score_atol: float = 1e-5) -> None:
    (da, na), (db, nb) = (tuple(_np(t) for t in a), tuple(_np(t) for t in b))
    np.testing.assert_array_equal(na, nb)
    assert da.shape == db.shape == (len(na), common.MAX_DET, 6)
    for i, n in enumerate(na):
        np.testing.assert_array_equal(da[i, :n, 5], db[i, :n, 5])  # classes
        np.testing.assert_allclose(da[i, :n, 4], db[i, :n, 4], rtol=0, atol=score_atol)
        np.testing.assert_allclose(da[i, :n, :4], db[i, :n, :4], rtol=0, atol=box_atol)
        assert not da[i, n:].any() and not db[i, n:].any()  # zero padding


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch():
    return common.make_batch({"image_size": SIZE}, 2, seed=4)


@pytest.fixture(scope="module")
def models(batch):
    """A calibrated PyTorch model and the Keras model with its weights ported through the canonical dict."""
    tm = ptm.build_model({"image_size": SIZE}, seed=0)
    _calibrate(tm, ptm.to_framework_batch(batch, "cpu")[0])
    km = tfm.build_model({"image_size": SIZE}, seed=0)
    port.torch_to_tf(tm, km)
    return tm, km


# --- contract -----------------------------------------------------------------------------------------------------


def test_common_contract():
    assert TASK_PACKAGES[common.TASK] == "generator.bench.workloads.detection"
    assert common.PHASES == ("inference",)
    assert set(common.SHAPES) == {"smoke", "standard", "full"}
    for shape in common.SHAPES.values():
        common.check_image_size(shape["image_size"])
    with pytest.raises(ValueError):
        common.check_image_size(100)
    assert (ptm.FRAMEWORK, tfm.FRAMEWORK) == ("pytorch", "tensorflow")


def test_make_batch():
    images, targets = common.make_batch({"image_size": 64}, 3, seed=7)
    assert images.shape == (3, 3, 64, 64) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert targets.shape == (3, 4, 5) and targets.dtype == np.float32
    again = common.make_batch({"image_size": 64}, 3, seed=7)
    np.testing.assert_array_equal(images, again[0])
    np.testing.assert_array_equal(targets, again[1])
    assert not np.array_equal(images, common.make_batch({"image_size": 64}, 3, seed=8)[0])


# --- parameters and FLOPs -----------------------------------------------------------------------------------------


def test_parameter_count(models):
    tm, km = models
    # Derived from the layer table (conv weights + BN gamma/beta + head 1x1 conv biases): 3,157,184. Ultralytics
    # publishes 3,157,200 unfused (ours + the 16 fixed DFL weights we keep as a constant) and 3,151,904 fused
    # (each BN's gamma and beta folded into one conv bias: one parameter fewer per BN channel).
    assert common.parameter_count_expected() == YOLOV8N_PARAMS
    assert ptm.parameter_count(tm) == tfm.parameter_count(km) == YOLOV8N_PARAMS
    bn_channels = sum(m.num_features for m in tm.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert bn_channels == common.batchnorm_channels_expected() == 5296
    assert YOLOV8N_PARAMS - bn_channels + 16 == YOLOV8N_PARAMS_FUSED
    # Keras' own count also includes BN moving mean/variance (2 per BN channel), excluded by the contract.
    assert km.count_params() == YOLOV8N_PARAMS + 2 * bn_channels


def test_flops(models):
    tm, km = models
    assert FLOPS_PER_MAC == 2
    for size in (SIZE, 640):
        shape = {"image_size": size}
        expected = common.flops_per_sample_expected(size)
        assert ptm.flops_per_sample(tm, shape) == expected
        assert tfm.flops_per_sample(km, shape) == expected
    # 8.742912 GFLOPs at 640 vs Ultralytics' published 8.7 (one decimal): within the rounding, +-0.05 GFLOPs.
    assert common.flops_per_sample_expected(640) == 8_742_912_000
    assert abs(common.flops_per_sample_expected(640) / 1e9 - YOLOV8N_GFLOPS_640) <= 0.05


# --- weights ------------------------------------------------------------------------------------------------------


def test_weight_round_trip(models):
    tm, km = models
    w_torch = ptm.export_weights(tm)
    w_tf = tfm.export_weights(km)
    assert set(w_torch) == set(w_tf)
    assert (
        len(w_torch) == 297
        and "model.22.cv3.2.2.bias" in w_torch
        and "model.2.m.0.cv1.conv.weight" in w_torch
    )
    for k, v in w_torch.items():
        assert w_tf[k].shape == v.shape, k
        np.testing.assert_array_equal(w_tf[k], v, err_msg=k)
    # and back into a fresh PyTorch model, via an .npz file as between two processes
    fresh = ptm.build_model({"image_size": SIZE}, seed=5)
    ptm.load_weights(fresh, w_tf)
    for k, v in ptm.export_weights(fresh).items():
        np.testing.assert_array_equal(v, w_torch[k], err_msg=k)


def test_weight_round_trip_npz(models, tmp_path):
    tm, _ = models
    w = ptm.export_weights(tm)
    port.save(w, tmp_path / "w.npz")
    loaded = port.load(tmp_path / "w.npz")
    assert set(loaded) == set(w) and all(np.array_equal(loaded[k], w[k]) for k in w)
    # an Ultralytics-style state dict (torch tensors, num_batches_tracked, the DFL conv) converts to canonical
    state = dict(tm.state_dict())
    state["model.22.dfl.conv.weight"] = torch.arange(16.0).view(1, 16, 1, 1)
    assert set(port.from_checkpoint_state_dict(state)) == set(w)


@pytest.mark.parametrize("fw", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_load_weights_rejects_bad_dicts(models, fw):
    tm, km = models
    model = tm if fw is ptm else km
    w = ptm.export_weights(tm)
    missing = dict(w)
    del missing["model.0.conv.weight"]
    with pytest.raises(KeyError, match="model.0.conv.weight"):
        fw.load_weights(model, missing)
    bad = dict(w)
    bad["model.0.bn.weight"] = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="model.0.bn.weight"):
        fw.load_weights(model, bad)
    fw.load_weights(model, w)  # restore


# --- equivalence --------------------------------------------------------------------------------------------------


def test_raw_head_outputs_match(models, batch):
    tm, km = models
    with torch.no_grad():
        out_t = [_np(o) for o in ptm.forward(tm, ptm.to_framework_batch(batch, "cpu")[0], training=False)]
    out_k = [
        np.transpose(_np(o), (0, 3, 1, 2))
        for o in tfm.forward(km, tfm.to_framework_batch(batch, "cpu")[0], False)
    ]
    for a, b, s in zip(out_t, out_k, common.STRIDES):
        assert a.shape == b.shape == (2, 4 * common.REG_MAX + NC, SIZE // s, SIZE // s)
        assert a.std() > 1.0  # calibrated: outputs vary, the comparison is not vacuous
        relative = np.abs(b.astype(np.float64) - a).max() / np.abs(a).max()
        assert relative <= 1e-4  # max |TF - torch| / max |torch|; measured ~1e-5


def test_decoded_boxes_match(models, batch):
    tm, km = models
    with torch.no_grad():
        bt, st = ptm.decode(ptm.forward(tm, ptm.to_framework_batch(batch, "cpu")[0], training=False))
    bk, sk = tfm.decode(tfm.forward(km, tfm.to_framework_batch(batch, "cpu")[0], False))
    assert bt.shape == (2, common.num_anchors(SIZE), 4) and st.shape == (2, common.num_anchors(SIZE), NC)
    np.testing.assert_allclose(_np(bk), _np(bt), rtol=0, atol=0.02)
    np.testing.assert_allclose(_np(sk), _np(st), rtol=0, atol=5e-5)


def test_end_to_end_detections_match(models, batch):
    """Same weights, same images -> same detections. Class biases raised from the init's ~-10 to -2.5 so that tens
    of boxes pass the threshold and NMS suppresses some (7 of 8 and 33 of 42 are kept); the case is checked to be
    well-conditioned before equality is asserted: scores differ by <= 5e-5 between the frameworks (0.25 x the logit
    tolerance), the case's scores lie >= 2e-4 from the threshold and from each other, its IoUs >= 2e-3 from 0.7."""
    tm, km = models
    saved = ptm.export_weights(tm)
    _set_class_bias(tm, -2.5)
    port.torch_to_tf(tm, km)
    try:
        with torch.no_grad():
            out_t = ptm.forward(tm, ptm.to_framework_batch(batch, "cpu")[0], training=False)
            bt, st = ptm.decode(out_t)
            det_t = ptm.postprocess(out_t)
        det_k = tfm.postprocess(tfm.forward(km, tfm.to_framework_batch(batch, "cpu")[0], False))
    finally:  # the module's models go back to their fixture state
        ptm.load_weights(tm, saved)
        port.torch_to_tf(tm, km)
    conf_margin, gap, iou_margin = _margins(_np(bt), _np(st))
    assert conf_margin > 2e-4 and gap > 2e-4 and iou_margin > 2e-3, (conf_margin, gap, iou_margin)
    n = _np(det_t[1])
    candidates = (_np(st).max(-1) > common.CONF_THRESHOLD).sum(-1)
    assert (n > 0).all() and (n < candidates).all()  # detections exist and NMS removed some
    _assert_same_detections(det_t, det_k, box_atol=0.02, score_atol=5e-5)


def test_postprocess_fresh_model_runs(batch):
    """A freshly initialised model (Ultralytics' class-bias prior) detects nothing on noise, in both frameworks."""
    tm = ptm.build_model({"image_size": 64}).eval()
    km = tfm.build_model({"image_size": 64})
    images = common.make_batch({"image_size": 64}, 2, seed=3)
    with torch.no_grad():
        dt = ptm.postprocess(ptm.forward(tm, ptm.to_framework_batch(images, "cpu")[0], False))
    dk = tfm.postprocess(tfm.forward(km, tfm.to_framework_batch(images, "cpu")[0], False))
    for d, n in (dt, dk):
        assert tuple(d.shape) == (2, common.MAX_DET, 6) and _np(n).tolist() == [0, 0]


# --- post-processing semantics ------------------------------------------------------------------------------------

# A scene with clear boxes (image 128): duplicates of A (IoU ~0.86, same class) are suppressed, B (other class,
# same place) and C (IoU 0.23 with A) are kept; the chain D1 -> D2 -> D3 (IoU(D1,D2) = IoU(D2,D3) = 0.74,
# IoU(D1,D3) = 0.54) keeps D1 and D3 (D2 is suppressed, so it does not suppress D3), which one-pass
# "fast NMS" would get wrong; E is below the confidence threshold. Image 1 holds a single weak detection F.
A = (20.0, 20.0, 60.0, 60.0)
C = (45.0, 20.0, 85.0, 60.0)
D1, D2, D3 = (72.0, 80.0, 112.0, 120.0), (78.0, 80.0, 118.0, 120.0), (84.0, 80.0, 124.0, 120.0)
SCENE = [
    (0, 0, 5, 5, A, 0, 0.9),
    (0, 0, 4, 4, (22.0, 21.0, 61.0, 62.0), 0, 0.8),  # A', IoU 0.86 with A
    (0, 1, 2, 2, (18.0, 19.0, 58.0, 61.0), 0, 0.7),  # A'' on P4, IoU 0.86 with A
    (0, 0, 5, 4, (21.0, 20.0, 59.0, 61.0), 1, 0.6),  # B
    (0, 0, 5, 8, C, 0, 0.85),
    (0, 0, 12, 11, D1, 2, 0.95),
    (0, 0, 12, 12, D2, 2, 0.9),
    (0, 0, 12, 13, D3, 2, 0.83),
    (0, 2, 1, 1, (40.0, 40.0, 60.0, 60.0), 3, 0.2),  # E, below CONF_THRESHOLD
    (1, 1, 3, 3, (50.0, 50.0, 70.0, 70.0), 7, 0.3),  # F
]
EXPECTED = [
    [(D1, 2, 0.95), (A, 0, 0.9), (C, 0, 0.85), (D3, 2, 0.83), ((21.0, 20.0, 59.0, 61.0), 1, 0.6)],
    [((50.0, 50.0, 70.0, 70.0), 7, 0.3)],
]


@pytest.mark.parametrize("fw", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_postprocess_clear_scene(fw):
    raw = _craft(SIZE, 2, SCENE)
    outputs = [torch.from_numpy(x) for x in raw] if fw is ptm else _nhwc(raw)
    dets, counts = (_np(t) for t in fw.postprocess(outputs))
    assert counts.tolist() == [len(e) for e in EXPECTED]
    for i, expected in enumerate(EXPECTED):
        for row, (box, cls, score) in zip(dets[i], expected):
            np.testing.assert_allclose(row[:4], box, rtol=0, atol=1e-3)
            assert row[5] == cls
            assert row[4] == pytest.approx(score, abs=1e-6)
        assert not dets[i, len(expected) :].any()


def test_postprocess_max_det_and_thresholds():
    """Image 0: all 525 non-overlapping boxes pass -> exactly MAX_DET kept, the highest scores, in order.
    Image 1: 7 boxes pass, the rest score 0.2 (< CONF_THRESHOLD) -> 7 kept."""
    size = 160
    rng = np.random.default_rng(0)
    objects = []
    scores0 = rng.permutation(np.linspace(0.3, 0.99, common.num_anchors(size)))
    k = 0
    for lvl, s in enumerate(common.STRIDES):
        n = size // s
        for gy in range(n):
            for gx in range(n):
                c = (
                    (gx + 0.25) * s,
                    (gy + 0.25) * s,
                    (gx + 0.75) * s,
                    (gy + 0.75) * s,
                )  # half a cell: no overlap
                objects.append((0, lvl, gy, gx, c, k % NC, float(scores0[k])))
                objects.append((1, lvl, gy, gx, c, k % NC, 0.5 + 0.05 * k if k < 7 else 0.2))
                k += 1
    raw = _craft(size, 2, objects)
    expected0 = np.sort(scores0)[::-1][: common.MAX_DET]
    for fw, outputs in ((ptm, [torch.from_numpy(x) for x in raw]), (tfm, _nhwc(raw))):
        dets, counts = (_np(t) for t in fw.postprocess(outputs))
        assert counts.tolist() == [common.MAX_DET, 7], fw.FRAMEWORK
        np.testing.assert_allclose(dets[0, :, 4], expected0, rtol=0, atol=1e-6)
        assert (np.diff(dets[1, :7, 4]) < 0).all() and (dets[1, :7, 4] > common.CONF_THRESHOLD).all()
        assert not dets[1, 7:].any()


@pytest.mark.parametrize("row_chunk", [2048, 100])
def test_nms_dense_random_matches_greedy_reference(monkeypatch, row_chunk):
    """Identical decoded boxes/scores into both frameworks' NMS and a plain greedy loop: exactly equal results.

    Clusters of jittered boxes give many same-class IoUs around the threshold and suppression chains; 3 active
    classes, ~600 candidates per image, so the MAX_DET cap binds in one image. Also with the PyTorch IoU matrix
    built in chunks of 100 rows."""
    monkeypatch.setattr(ptm, "_NMS_ROW_CHUNK", row_chunk)
    rng = np.random.default_rng(42)
    b, a = 2, 900
    base = rng.uniform(0, 300, (b, a // 6, 2)).astype(np.float32)
    wh = rng.uniform(15, 60, (b, a // 6, 2)).astype(np.float32)
    centres = np.repeat(base, 6, axis=1) + rng.normal(0, 3, (b, a, 2)).astype(np.float32)
    sizes = np.repeat(wh, 6, axis=1) * rng.uniform(0.9, 1.1, (b, a, 2)).astype(np.float32)
    boxes = np.concatenate([centres - sizes / 2, centres + sizes / 2], -1).astype(np.float32)
    scores = np.full((b, a, NC), 1e-3, np.float32)
    active = rng.integers(0, 3, (b, a))
    scores[np.arange(b)[:, None], np.arange(a)[None, :], active] = rng.uniform(0, 1, (b, a)).astype(
        np.float32
    )
    scores[1, 450:, :] = 1e-3  # image 1: fewer candidates, below MAX_DET after NMS
    ref_d, ref_n = _reference_select(boxes, scores)
    assert ref_n[0] == common.MAX_DET and 0 < ref_n[1] < common.MAX_DET
    assert ref_n[1] < (scores[1].max(-1) > common.CONF_THRESHOLD).sum()  # suppression happened
    got_t = ptm.select(torch.from_numpy(boxes), torch.from_numpy(scores))
    got_k = tfm.select(tf.constant(boxes), tf.constant(scores))
    _assert_same_detections((ref_d, ref_n), got_t, box_atol=0, score_atol=0)
    _assert_same_detections((ref_d, ref_n), got_k, box_atol=0, score_atol=0)


def test_max_nms_cap(monkeypatch):
    """At most MAX_NMS candidates (the highest-scoring) enter NMS; binds only above ~1200 px at 30000, so tested
    with the cap lowered to 40."""
    monkeypatch.setattr(common, "MAX_NMS", 40)
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 300, (2, 200, 2)).astype(np.float32)
    boxes = np.concatenate([centres - 20, centres + 20], -1).astype(np.float32)
    scores = rng.uniform(0, 0.3, (2, 200, NC)).astype(np.float32)
    scores[..., 0] = rng.uniform(0.3, 1, (2, 200))
    ref_d, ref_n = _reference_select(boxes, scores)
    assert (ref_n <= 40).all() and (ref_n > 0).all()
    _assert_same_detections(
        (ref_d, ref_n), ptm.select(torch.from_numpy(boxes), torch.from_numpy(scores)), 0, 0
    )
    _assert_same_detections((ref_d, ref_n), tfm.select(tf.constant(boxes), tf.constant(scores)), 0, 0)


def test_tensorflow_postprocess_in_graph_mode(models, batch):
    raw = _craft(SIZE, 2, SCENE)
    eager = tfm.postprocess(_nhwc(raw))
    graph = tf.function(tfm.postprocess)(_nhwc(raw))
    _assert_same_detections(eager, graph, box_atol=0, score_atol=0)


# --- operators made equal -----------------------------------------------------------------------------------------


def test_sppf_max_pool_padding_ignores_padding():
    """torch MaxPool2d(5, 1, padding=2) (implicit -inf padding) == Keras MaxPooling2D(5, 1, 'same'), even where
    every value is negative (zero padding would differ there)."""
    x = -np.random.default_rng(0).uniform(0.1, 1.0, (1, 4, 6, 6)).astype(np.float32)
    a = torch.nn.functional.max_pool2d(torch.from_numpy(x), 5, 1, 2).numpy()
    pool = tfm.layers.MaxPooling2D(5, strides=1, padding="same")
    b = np.transpose(pool(tf.constant(np.transpose(x, (0, 2, 3, 1)))).numpy(), (0, 3, 1, 2))
    np.testing.assert_array_equal(a, b)


def test_batchnorm_momentum_equivalent():
    """One training-mode forward updates every BN's running stats alike: torch momentum 0.03 == Keras 0.97.

    The running variance differs by design: torch folds in the unbiased batch variance (x n/(n-1), n = B*H*W),
    Keras the biased one; the test undoes that factor, then compares."""
    shape = {"image_size": 64}
    tm = ptm.build_model(shape, seed=2)
    km = tfm.build_model(shape, seed=2)
    port.torch_to_tf(tm, km)
    images = common.make_batch(shape, 2, seed=1)
    n_by_bn = {}  # elements per channel in each BN's batch: B * H * W
    hooks = [
        mod.register_forward_hook(
            lambda mod, inp, out, name=name: n_by_bn.__setitem__(name, out[:, 0].numel())
        )
        for name, mod in tm.named_modules()
        if isinstance(mod, torch.nn.BatchNorm2d)
    ]
    with torch.no_grad():
        ptm.forward(tm.train(), ptm.to_framework_batch(images, "cpu")[0], training=True)
    for h in hooks:
        h.remove()
    tfm.forward(km, tfm.to_framework_batch(images, "cpu")[0], training=True)
    wt, wk = ptm.export_weights(tm), tfm.export_weights(km)
    means = [k for k in wt if k.endswith("running_mean")]
    assert len(means) == len(n_by_bn) == 57
    m = common.BN_MOMENTUM_TORCH
    for k in means:
        assert np.abs(wt[k]).max() > 0, k
        np.testing.assert_allclose(wk[k], wt[k], rtol=1e-3, atol=1e-6, err_msg=k)
        kv = k.replace("running_mean", "running_var")
        n = n_by_bn[k[: -len(".running_mean")]]
        batch_var_t = (wt[kv] - (1 - m)) / m * (n - 1) / n  # unbiased -> biased
        batch_var_k = (wk[kv] - (1 - m)) / m
        np.testing.assert_allclose(batch_var_k, batch_var_t, rtol=1e-3, atol=1e-4, err_msg=kv)


def test_mixed_precision_paths(batch):
    """bf16: Keras under the mixed_bfloat16 policy keeps head outputs float32; PyTorch under autocast returns bf16
    head outputs and postprocess decodes in float32. Both still post-process to the contract's format."""
    shape = {"image_size": 64}
    images = common.make_batch(shape, 2, seed=0)
    previous = tfm.keras.mixed_precision.global_policy()
    tfm.keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        km = tfm.build_model(shape)
        out = tfm.forward(km, tfm.to_framework_batch(images, "cpu")[0], False)
        assert all(o.dtype == tf.float32 for o in out)
        dets, counts = tfm.postprocess(out)
        assert dets.dtype == tf.float32 and tuple(dets.shape) == (2, common.MAX_DET, 6)
    finally:
        tfm.keras.mixed_precision.set_global_policy(previous)
    tm = ptm.build_model(shape).eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = ptm.forward(tm, ptm.to_framework_batch(images, "cpu")[0], False)
        dets, counts = ptm.postprocess(out)
    assert out[0].dtype == torch.bfloat16 and dets.dtype == torch.float32
    assert tuple(dets.shape) == (2, common.MAX_DET, 6) and counts.dtype == torch.int32


def test_loss_is_not_a_phase():
    with pytest.raises(NotImplementedError):
        ptm.loss(None, None)
    with pytest.raises(NotImplementedError):
        tfm.loss(None, None)
