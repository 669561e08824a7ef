"""Does the deployed model compute what its source computes? NumPy only, so the framework-free runner decides.

Outputs of both sides arrive in canonical form (``models.canonical_outputs``). The figures:

- ``max_abs_diff`` over every output element, and ``max_rel_diff`` = that over the largest source magnitude;
- classifiers: top-1 agreement, the share of samples whose argmax is the same;
- the detector: boxes after the benchmark's own post-processing (confidence > 0.25, class-aware NMS at IoU 0.7,
  300 per image, as ``detection.common`` states), decoded here from the raw head outputs identically for both
  sides; a deployed box matches a source box of the same class at IoU ≥ ``DEPLOY_BOX_MATCH_IOU``, one to one;
  agreement = matched / max(source boxes, deployed boxes).

Tolerances by precision are :data:`generator.bench.methodology.DEPLOY_TOLERANCES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.bench import methodology
from generator.bench.workloads.detection import common as detection


@dataclass(frozen=True)
class Comparison:
    samples: int
    max_abs_diff: float
    max_rel_diff: float
    top1_agreement: float | None
    box_agreement: float | None
    source_boxes: int | None
    deployed_boxes: int | None
    tolerance: dict[str, float | bool]
    within_tolerance: bool


def compare(kind: str, precision: str, source: list[np.ndarray], deployed: list[np.ndarray]) -> Comparison:
    if len(source) != len(deployed):
        raise ValueError(f"{len(deployed)} deployed outputs for {len(source)} source outputs")
    for s, d in zip(source, deployed, strict=True):
        if s.shape != d.shape:
            raise ValueError(f"deployed output shape {d.shape} differs from the source's {s.shape}")
    scale = max(float(np.abs(s).max()) for s in source) or 1.0
    max_abs = max(float(np.abs(s.astype(np.float64) - d).max()) for s, d in zip(source, deployed, strict=True))
    if not np.isfinite(max_abs):
        max_abs = float("inf")
    tolerance = dict(methodology.DEPLOY_TOLERANCES[precision])
    top1 = box = None
    source_boxes = deployed_boxes = None
    if kind == "detector":
        tolerance["min_agreement"] = min(tolerance["min_agreement"], methodology.DEPLOY_DETECTOR_MIN_AGREEMENT)
        source_dets, deployed_dets = detections(source), detections(deployed)
        box, source_boxes, deployed_boxes = box_agreement(source_dets, deployed_dets)
        agreement = box
    else:
        top1 = float(np.mean(source[0].argmax(-1) == deployed[0].argmax(-1)))
        agreement = top1
    close = max_abs <= tolerance["atol"] + tolerance["rtol"] * scale
    return Comparison(
        samples=int(source[0].shape[0]), max_abs_diff=max_abs, max_rel_diff=max_abs / scale, top1_agreement=top1,
        box_agreement=box, source_boxes=source_boxes, deployed_boxes=deployed_boxes, tolerance=tolerance,
        within_tolerance=bool(close and agreement >= tolerance["min_agreement"]),
    )


# --- The detector's post-processing, in NumPy -------------------------------------------------------------------


def _anchors(levels: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    points, strides = [], []
    for level, stride in zip(levels, detection.STRIDES, strict=True):
        h, w = level.shape[2:]
        sy, sx = np.meshgrid(np.arange(h, dtype=np.float32) + 0.5, np.arange(w, dtype=np.float32) + 0.5,
                             indexing="ij")
        points.append(np.stack((sx, sy), -1).reshape(-1, 2))
        strides.append(np.full((h * w, 1), float(stride), dtype=np.float32))
    return np.concatenate(points), np.concatenate(strides)


def detections(levels: list[np.ndarray]) -> list[np.ndarray]:
    """Per image, ``[n, 6]`` rows (x1, y1, x2, y2, confidence, class), highest confidence first."""
    raw = np.concatenate([x.reshape(x.shape[0], x.shape[1], -1) for x in levels], axis=2).astype(np.float64)
    points, strides = _anchors(levels)
    reg4 = 4 * detection.REG_MAX
    result = []
    for image in raw:
        logits = image[reg4:]
        cls = logits.argmax(0)
        conf = 1 / (1 + np.exp(-logits.max(0)))
        keep = np.flatnonzero(conf > detection.CONF_THRESHOLD)
        bins = image[:reg4, keep].T.reshape(-1, 4, detection.REG_MAX)
        bins = np.exp(bins - bins.max(-1, keepdims=True))
        distance = (bins / bins.sum(-1, keepdims=True) * np.arange(detection.REG_MAX)).sum(-1)
        anchor = points[keep]
        boxes = np.concatenate((anchor - distance[:, :2], anchor + distance[:, 2:]), 1) * strides[keep]
        kept = nms(boxes, conf[keep], cls[keep], detection.IOU_THRESHOLD)[: detection.MAX_DET]
        result.append(np.column_stack((boxes[kept], conf[keep][kept], cls[keep][kept])))
    return result


def iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    x1, y1 = np.maximum(box[0], others[:, 0]), np.maximum(box[1], others[:, 1])
    x2, y2 = np.minimum(box[2], others[:, 2]), np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = (box[2] - box[0]) * (box[3] - box[1]) + (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter, dtype=np.float64), where=union > 0)


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, threshold: float) -> np.ndarray:
    """Greedy class-aware NMS; kept indices, highest score first (stops at MAX_DET kept)."""
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size and len(kept) < detection.MAX_DET:
        best, rest = order[0], order[1:]
        kept.append(int(best))
        same = classes[rest] == classes[best]
        suppressed = np.zeros(rest.size, dtype=bool)
        suppressed[same] = iou(boxes[best], boxes[rest[same]]) > threshold
        order = rest[~suppressed]
    return np.asarray(kept, dtype=np.int64)


def box_agreement(source: list[np.ndarray], deployed: list[np.ndarray]) -> tuple[float, int, int]:
    matched = 0
    for src, dep in zip(source, deployed, strict=True):
        free = np.ones(len(dep), dtype=bool)
        for box in src:
            candidates = np.flatnonzero(free & (dep[:, 5] == box[5])) if len(dep) else np.empty(0, dtype=int)
            if candidates.size:
                overlaps = iou(box[:4], dep[candidates, :4])
                best = int(overlaps.argmax())
                if overlaps[best] >= methodology.DEPLOY_BOX_MATCH_IOU:
                    free[candidates[best]] = False
                    matched += 1
    n_source, n_deployed = sum(len(s) for s in source), sum(len(d) for d in deployed)
    total = max(n_source, n_deployed)
    return (matched / total if total else 1.0), n_source, n_deployed
