"""YOLOv8n-style detector in ``torch.nn`` (see ``common`` for the architecture and the conventions).

Module names follow Ultralytics (``model.<i>.cv1.conv``...), so the canonical state dict uses YOLOv8's names.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from generator.bench.workloads import flops
from generator.bench.workloads.detection import common
from generator.bench.workloads.porting import IGNORED_SUFFIXES, check_complete

FRAMEWORK = "pytorch"


class Conv(nn.Module):
    """Conv2d(bias=False) + BatchNorm2d + SiLU; padding k//2 on every side (symmetric, also for stride 2)."""

    def __init__(self, c1: int, c2: int, k: int = 1, s: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=common.BN_EPS, momentum=common.BN_MOMENTUM_TORCH)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c: int, shortcut: bool):
        super().__init__()
        self.cv1 = Conv(c, c, 3)
        self.cv2 = Conv(c, c, 3)
        self.add = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    def __init__(self, c1: int, c2: int, n: int = 1, shortcut: bool = False):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = Conv(c1, 2 * self.c, 1)
        self.cv2 = Conv((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = list(
            self.cv1(x).chunk(2, 1)
        )  # channel halves [0, c) and [c, 2c): Keras splits the last axis alike
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1: int, c2: int, k: int = 5):
        super().__init__()
        h = c1 // 2
        self.cv1 = Conv(c1, h, 1)
        self.cv2 = Conv(4 * h, c2, 1)
        # Padding k//2: max_pool2d ignores padded cells (implicit -inf), as Keras/TF 'SAME' max pooling does.
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = [self.cv1(x)]
        for _ in range(3):
            y.append(self.m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class Detect(nn.Module):
    """Decoupled anchor-free head: raw per-level outputs ``[B, 4*reg_max + nc, H, W]`` (decoding is postprocess)."""

    def __init__(self, nc: int, ch: tuple[int, ...], reg_max: int, c2: int, c3: int, **_: object):
        super().__init__()
        self.nc, self.reg_max = nc, reg_max
        self.cv2 = nn.ModuleList(
            nn.Sequential(Conv(x, c2, 3), Conv(c2, c2, 3), nn.Conv2d(c2, 4 * reg_max, 1)) for x in ch
        )
        self.cv3 = nn.ModuleList(
            nn.Sequential(Conv(x, c3, 3), Conv(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for x in ch
        )

    def bias_init(self) -> None:
        """Ultralytics' Detect.bias_init (see ``common.class_bias_init``)."""
        for a, b, s in zip(self.cv2, self.cv3, common.STRIDES):
            nn.init.constant_(a[-1].bias, 1.0)
            nn.init.constant_(b[-1].bias, common.class_bias_init(s, self.nc))

    def forward(self, xs: list[torch.Tensor]) -> list[torch.Tensor]:
        return [torch.cat((self.cv2[i](x), self.cv3[i](x)), 1) for i, x in enumerate(xs)]


class YOLOv8(nn.Module):
    def __init__(self, num_classes: int = common.NUM_CLASSES):
        super().__init__()
        lay = common.layout(num_classes)
        layers: dict[int, nn.Module] = {}
        for i, kind, a in lay["backbone"] + lay["neck"]:
            if kind == "conv":
                layers[i] = Conv(a["c1"], a["c2"], a["k"], a["s"])
            elif kind == "c2f":
                layers[i] = C2f(a["c1"], a["c2"], a["n"], a["shortcut"])
            else:
                layers[i] = SPPF(a["c1"], a["c2"], a["k"])
        # Parameter-free layers keep Ultralytics' indices: 10/13 upsample, 11/14/17/20 concat.
        for i in (10, 13):
            layers[i] = nn.Upsample(scale_factor=2, mode="nearest")  # == Keras UpSampling2D(2, "nearest")
        for i in (11, 14, 17, 20):
            layers[i] = nn.Identity()
        layers[22] = Detect(**lay["head"])
        self.model = nn.ModuleList(layers[i] for i in range(23))
        self.model[22].bias_init()

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        m = self.model
        x = m[1](m[0](x))
        x = m[2](x)
        p3 = m[4](m[3](x))
        p4 = m[6](m[5](p3))
        p5 = m[9](m[8](m[7](p4)))
        h12 = m[12](torch.cat((m[10](p5), p4), 1))  # concat on the channel axis (NCHW: 1; NHWC: -1)
        h15 = m[15](torch.cat((m[13](h12), p3), 1))
        h18 = m[18](torch.cat((m[16](h15), h12), 1))
        h21 = m[21](torch.cat((m[19](h18), p5), 1))
        return m[22]([h15, h18, h21])


# --- FrameworkModule --------------------------------------------------------------------------------------------


def build_model(shape: dict[str, int], seed: int = 0) -> nn.Module:
    common.check_image_size(int(shape["image_size"]))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = YOLOv8(int(shape.get("num_classes", common.NUM_CLASSES)))
    return model.train()


def to_framework_batch(
    batch: tuple[np.ndarray, np.ndarray], device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    images, targets = batch
    return torch.from_numpy(np.ascontiguousarray(images)).to(device), torch.from_numpy(targets).to(device)


def forward(model: nn.Module, inputs: torch.Tensor, training: bool) -> list[torch.Tensor]:
    return model(inputs)


def loss(outputs, targets):
    raise NotImplementedError("object-detection is benchmarked for inference only (common.PHASES)")


def _flatten(outputs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-level raw outputs -> raw ``[B, 4*reg_max + nc, A]`` (float32), anchor points ``[A, 2]`` (grid units,
    cell centres) and strides ``[A, 1]``. Anchor order: P3, P4, P5, each row-major over (y, x), as the Keras
    model's reshape of NHWC."""
    raw, anchors, strides = [], [], []
    for x, s in zip(outputs, common.STRIDES):
        b, c, h, w = x.shape
        raw.append(x.float().reshape(b, c, h * w))
        sy, sx = torch.meshgrid(
            torch.arange(h, device=x.device, dtype=torch.float32) + 0.5,
            torch.arange(w, device=x.device, dtype=torch.float32) + 0.5,
            indexing="ij",
        )
        anchors.append(torch.stack((sx, sy), -1).reshape(-1, 2))
        strides.append(torch.full((h * w, 1), float(s), device=x.device))
    return torch.cat(raw, 2), torch.cat(anchors), torch.cat(strides)


def _boxes(box_logits: torch.Tensor, anchor_points: torch.Tensor, stride: torch.Tensor) -> torch.Tensor:
    """DFL logits ``[..., 4*reg_max]`` -> xyxy boxes in pixels: softmax over each side's reg_max bins, the
    expectation sum(p_i * i) is that side's distance (left, top, right, bottom; grid units) from the anchor."""
    proj = torch.arange(common.REG_MAX, device=box_logits.device, dtype=torch.float32)
    bins = box_logits.reshape(*box_logits.shape[:-1], 4, common.REG_MAX)
    # Elementwise product + sum rather than a matmul, so that autocast keeps it in float32.
    dist = (bins.softmax(-1) * proj).sum(-1)
    return torch.cat((anchor_points - dist[..., :2], anchor_points + dist[..., 2:]), -1) * stride


def decode(outputs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """All anchors decoded: boxes ``[B, A, 4]`` (x1, y1, x2, y2 in pixels) and class scores ``[B, A, nc]``.

    ``postprocess`` decodes only the boxes that pass the confidence threshold, with the same arithmetic.
    """
    raw, anchor_points, stride = _flatten(outputs)
    raw = raw.transpose(1, 2)
    reg4 = 4 * common.REG_MAX
    return _boxes(raw[..., :reg4], anchor_points, stride), raw[..., reg4:].sigmoid()


def _box_iou(boxes: torch.Tensor, others: torch.Tensor | None = None) -> torch.Tensor:
    """Pairwise IoU ``[..., K, M]`` of xyxy boxes ``[..., K, 4]`` and ``[..., M, 4]``, with the formula (and
    operation order) of TF's NMS kernel: inter / (area_i + area_j - inter), 0 where an area is 0."""
    others = boxes if others is None else others
    x1, y1, x2, y2 = (t[..., :, None] for t in boxes.unbind(-1))
    ox1, oy1, ox2, oy2 = (t[..., None, :] for t in others.unbind(-1))
    area, oarea = (x2 - x1) * (y2 - y1), (ox2 - ox1) * (oy2 - oy1)
    iw = (torch.minimum(x2, ox2) - torch.maximum(x1, ox1)).clamp_(min=0)
    ih = (torch.minimum(y2, oy2) - torch.maximum(y1, oy1)).clamp_(min=0)
    inter = iw.mul_(ih)
    iou = inter / (area + oarea - inter)
    return iou.masked_fill_((area <= 0) | (oarea <= 0), 0.0)


_NMS_ROW_CHUNK = 2048  # IoU rows computed at once: bounds the float temporaries to ~chunk x K x 4 bytes each


def nms(
    boxes: torch.Tensor, scores: torch.Tensor, classes: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """Class-aware greedy NMS, vectorised; returns kept indices sorted by score descending.

    Boxes are grouped by class into a padded ``[G, M]`` layout (G classes present, M the largest class), so only
    same-class pairs are compared. Within a class, in score order, greedy NMS keeps box j iff no *kept* box
    i < j has IoU > threshold. With S[i, j] = (i < j, IoU > t), keep = ~any_i(S[i, j] & keep[i]) has a unique
    solution (keep[j] depends only on earlier boxes), and iterating that map from keep = all-true fixes at least
    one more box per step in order; it stops when an iteration changes nothing, usually after a few steps (the
    longest suppression chain), each a [G, M, M] boolean reduction. No Python loop over boxes or classes.
    Memory: G x M x M bytes for S (at most K^2: 70 MB for all 8400 anchors of a 640 image in one class); IoUs
    are computed in row chunks.
    """
    k = boxes.shape[0]
    if k == 0:
        return scores.argsort()
    order = scores.argsort(descending=True, stable=True)  # score order; ties keep index order
    classes = classes[order]
    by_class = classes.argsort(stable=True)  # grouped by class, score order within each class
    _, counts = torch.unique_consecutive(classes[by_class], return_counts=True)
    g, m = counts.numel(), int(counts.max())
    group = torch.repeat_interleave(torch.arange(g, device=boxes.device), counts)
    pos = torch.arange(k, device=boxes.device) - (counts.cumsum(0) - counts)[group]
    padded = boxes.new_zeros((g, m, 4))
    padded[group, pos] = boxes[order[by_class]]
    valid = torch.zeros((g, m), dtype=torch.bool, device=boxes.device)
    valid[group, pos] = True
    s = torch.empty((g, m, m), dtype=torch.bool, device=boxes.device)
    for r in range(0, m, _NMS_ROW_CHUNK):
        s[:, r : r + _NMS_ROW_CHUNK] = _box_iou(padded[:, r : r + _NMS_ROW_CHUNK], padded) > iou_threshold
    s = torch.triu(s, diagonal=1) & valid[:, None, :]
    keep = valid
    while True:
        new = valid & ~(s & keep[:, :, None]).any(1)
        if torch.equal(new, keep):
            break
        keep = new
    kept = by_class[keep[group, pos]]  # positions in score order
    return order[kept.sort().values]


def postprocess(outputs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Threshold, decode, class-aware NMS (IoU > ``IOU_THRESHOLD`` suppresses), top ``MAX_DET`` per image.

    Returns ``(detections [B, MAX_DET, 6], counts [B] int32)`` as in ``common``. Confidence is
    sigmoid(max class logit) (== max of the sigmoids, sigmoid being increasing) with its class; boxes are decoded
    for the candidates only (the TensorFlow side does the same), Ultralytics decodes all anchors first.
    """
    raw, anchor_points, stride = _flatten(outputs)
    reg4 = 4 * common.REG_MAX
    best, cls = raw[:, reg4:].max(1)  # single-label: each box's best class
    conf = best.sigmoid()
    dets = raw.new_zeros((raw.shape[0], common.MAX_DET, 6))
    counts = torch.zeros(raw.shape[0], dtype=torch.int32, device=raw.device)
    for i in range(raw.shape[0]):  # per image (as Ultralytics); everything inside is vectorised
        idx = _candidates(conf[i])
        boxes = _boxes(raw[i, :reg4, idx].T, anchor_points[idx], stride[idx])
        _fill(dets, counts, i, boxes, conf[i, idx], cls[i, idx])
    return dets, counts


def select(boxes: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``postprocess`` from already decoded boxes ``[B, A, 4]`` and scores ``[B, A, nc]`` (as ``decode`` gives)."""
    conf, cls = scores.max(-1)
    dets = boxes.new_zeros((boxes.shape[0], common.MAX_DET, 6))
    counts = torch.zeros(boxes.shape[0], dtype=torch.int32, device=boxes.device)
    for i in range(boxes.shape[0]):
        idx = _candidates(conf[i])
        _fill(dets, counts, i, boxes[i, idx], conf[i, idx], cls[i, idx])
    return dets, counts


def _candidates(conf: torch.Tensor) -> torch.Tensor:
    """Anchors whose confidence is > CONF_THRESHOLD, at most MAX_NMS of them (the highest)."""
    idx = (conf > common.CONF_THRESHOLD).nonzero().squeeze(1)
    if idx.numel() > common.MAX_NMS:
        idx = idx[conf[idx].topk(common.MAX_NMS).indices]
    return idx


def _fill(
    dets: torch.Tensor,
    counts: torch.Tensor,
    i: int,
    boxes: torch.Tensor,
    conf: torch.Tensor,
    cls: torch.Tensor,
) -> None:
    keep = nms(boxes, conf, cls, common.IOU_THRESHOLD)[: common.MAX_DET]
    n = keep.numel()
    dets[i, :n] = torch.cat((boxes[keep], conf[keep, None], cls[keep, None].float()), 1)
    counts[i] = n


def flops_per_sample(model: nn.Module, shape: dict[str, int]) -> float:
    """``flops.torch_forward_flops`` (FlopCounterMode; conv MACs x FLOPS_PER_MAC) on one image.

    Counted on a copy of the model on the meta device: shapes only, no arithmetic, so any image size is instant
    and the model itself is not touched.
    """
    size = int(shape["image_size"])
    try:
        meta = copy.deepcopy(model).to("meta")
    except (RuntimeError, TypeError, NotImplementedError):  # a wrapper that cannot be copied: count in place
        device = next(model.parameters()).device
        return flops.torch_forward_flops(model, torch.zeros(1, 3, size, size, device=device))
    return flops.torch_forward_flops(meta, torch.empty(1, 3, size, size, device="meta"))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def export_weights(model: nn.Module) -> dict[str, np.ndarray]:
    """Canonical state dict (YOLOv8 names, OIHW); ``num_batches_tracked`` omitted (not a weight)."""
    return {
        k: v.detach().cpu().numpy().copy()
        for k, v in model.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }


def load_weights(model: nn.Module, weights: dict[str, np.ndarray]) -> None:
    state = model.state_dict()
    expected = {k: tuple(t.shape) for k, t in state.items() if not k.endswith(IGNORED_SUFFIXES)}
    check_complete(weights, expected)  # all names and shapes first: a failed load changes nothing
    with torch.no_grad():
        for k in expected:
            state[k].copy_(torch.from_numpy(np.asarray(weights[k])).to(state[k].dtype))
