"""Object detection: a YOLOv8n-style single-stage detector, inference only. No framework import here.

The network is Ultralytics YOLOv8 (``ultralytics/cfg/models/v8/yolov8.yaml``) at scale ``n``
(depth 0.33, width 0.25, max channels 1024, 80 classes), rebuilt from its published description in
``torch.nn`` and in Keras 3 layers from the one layout below, so both frameworks build the same network:

- backbone: Conv(3x3, s2) x2, C2f, Conv(s2), C2f, Conv(s2), C2f, Conv(s2), C2f, SPPF(k=5);
  ``Conv`` = Conv2d(bias=False) + BatchNorm + SiLU; ``C2f`` = 1x1 Conv, split in two halves, n Bottlenecks
  (two 3x3 Convs, residual in the backbone only) each appended, concat, 1x1 Conv;
- neck (PAN/FPN): nearest 2x upsample + concat + C2f twice (top-down), strided Conv + concat + C2f twice
  (bottom-up);
- head (``Detect``): per level P3/P4/P5 (strides 8, 16, 32), a box branch (two 3x3 Convs + 1x1 Conv2d to
  4 x reg_max = 64 DFL logits) and a class branch (two 3x3 Convs + 1x1 Conv2d to 80 class logits).

``forward`` returns the raw head outputs, one tensor per level (PyTorch NCHW ``[B, 144, H, W]``, Keras NHWC
``[B, H, W, 144]``; channels 0..63 are the DFL logits side-major (left, top, right, bottom) x 16 bins,
64..143 the class logits). ``postprocess`` does what Ultralytics does after the network at inference:
decode boxes (DFL softmax expectation, anchor points at cell centres, times the level's stride), sigmoid class
scores, confidence threshold, per-class NMS, at most ``MAX_DET`` detections per image. Its output is the same in
both frameworks: ``(detections [B, MAX_DET, 6] = x1, y1, x2, y2, score, class (zero-padded, sorted by score
descending), counts [B] int32)``, boxes in input-image pixels.

Parameter count (derived in ``parameter_count_expected`` and asserted by the tests): 3,157,184. Ultralytics'
``yolov8.yaml`` states "YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs"
(unfused); loading the fused model (BN folded into the convs) it prints "YOLOv8n summary (fused): 168 layers,
3151904 parameters, 0 gradients, 8.7 GFLOPs" (its model table: 3.2 M, 8.7 B FLOPs at 640). Our 3,157,184 is the unfused count minus the 16
fixed (``requires_grad=False``, hence "3157184 gradients") weights of Ultralytics' DFL 1x1 convolution, which we
apply as the constant ``arange(16)`` expectation instead. Fusing folds each BatchNorm's (gamma, beta) into one conv
bias: one parameter fewer per BN channel (5,296 channels), and 3,157,184 - 5,296 + 16 = 3,151,904. Per layer our
counts equal the ones Ultralytics prints (464, 4,672, 7,360, ...; Detect 897,648 + 16 DFL = 897,664).

FLOPs: convolution multiply-accumulates only (x 2, biases, BN, activations, pooling and upsampling not counted),
counted from each framework's own model; at 640x640 this is 8,742,912,000 FLOPs (``flops_per_sample_expected``).
Ultralytics' published fused figure is 8.7 GFLOPs, printed to one decimal (thop's convolution MACs x 2 at 640,
which is the same convention), so the two agree to the published precision. The unfused 8.9 also counts BN.
"""

from __future__ import annotations

import math

import numpy as np

TASK = "object-detection"
PHASES = ("inference",)

# Image sizes must be multiples of 32 (the P5 stride). The full network at every size, so parameter counts agree.
SHAPES: dict[str, dict[str, int]] = {
    "smoke": {"image_size": 64},
    "standard": {"image_size": 640},
    "full": {"image_size": 640},
}

# --- Model scale (YOLOv8 'n') -----------------------------------------------------------------------------------
DEPTH_MULTIPLE = 0.33
WIDTH_MULTIPLE = 0.25
MAX_CHANNELS = 1024
NUM_CLASSES = 80
REG_MAX = 16  # DFL bins per box side
STRIDES = (8, 16, 32)  # P3, P4, P5

# --- Operator settings, the same in both frameworks -------------------------------------------------------------
# Ultralytics sets BatchNorm eps=1e-3, momentum=0.03 on every Conv (ultralytics/utils/torch_utils.py
# initialize_weights). PyTorch's momentum m updates running = (1-m)*running + m*batch; Keras' momentum is the
# weight of the old value, so torch 0.03 == Keras 0.97.
BN_EPS = 1e-3
BN_MOMENTUM_TORCH = 0.03
BN_MOMENTUM_KERAS = 1.0 - BN_MOMENTUM_TORCH
SPPF_KERNEL = 5

# --- Post-processing (Ultralytics predict defaults), stated once for both frameworks ----------------------------
CONF_THRESHOLD = 0.25  # keep a box if its best class score (after sigmoid) is > this
IOU_THRESHOLD = 0.7  # suppress a box whose IoU with a kept, higher-scoring box of the same class is > this
MAX_DET = 300  # detections kept per image, highest scores first
MAX_NMS = 30000  # at most this many candidates per image enter NMS (binds only above ~1200x1200 inputs)
# Single-label (Ultralytics' default multi_label=False): each box gets only its best class. Class-aware NMS.


def make_divisible(x: float, divisor: int = 8) -> int:
    return int(math.ceil(x / divisor) * divisor)


def width(c: int, width_multiple: float = WIDTH_MULTIPLE, max_channels: int = MAX_CHANNELS) -> int:
    """Ultralytics' channel scaling: make_divisible(min(c, max_channels) * width, 8)."""
    return make_divisible(min(c, max_channels) * width_multiple, 8)


def depth(n: int, depth_multiple: float = DEPTH_MULTIPLE) -> int:
    """Ultralytics' repeat scaling: max(round(n * depth), 1)."""
    return max(round(n * depth_multiple), 1) if n > 1 else n


def layout(num_classes: int = NUM_CLASSES) -> dict:
    """The network's layer table, with scaled channels and repeats, shared by both frameworks.

    Indices are Ultralytics' ``model.<i>`` indices, so canonical weight names match a YOLOv8 checkpoint's
    (``model.2.m.0.cv1.conv.weight``, ``model.22.cv2.0.2.bias``, ...).
    """
    c = {k: width(k) for k in (64, 128, 256, 512, 1024)}
    ch = (c[256], c[512], c[1024])  # P3, P4, P5 channels entering the head: 64, 128, 256
    return {
        # index: (kind, args)
        "backbone": [
            (0, "conv", {"c1": 3, "c2": c[64], "k": 3, "s": 2}),
            (1, "conv", {"c1": c[64], "c2": c[128], "k": 3, "s": 2}),
            (2, "c2f", {"c1": c[128], "c2": c[128], "n": depth(3), "shortcut": True}),
            (3, "conv", {"c1": c[128], "c2": c[256], "k": 3, "s": 2}),
            (4, "c2f", {"c1": c[256], "c2": c[256], "n": depth(6), "shortcut": True}),
            (5, "conv", {"c1": c[256], "c2": c[512], "k": 3, "s": 2}),
            (6, "c2f", {"c1": c[512], "c2": c[512], "n": depth(6), "shortcut": True}),
            (7, "conv", {"c1": c[512], "c2": c[1024], "k": 3, "s": 2}),
            (8, "c2f", {"c1": c[1024], "c2": c[1024], "n": depth(3), "shortcut": True}),
            (9, "sppf", {"c1": c[1024], "c2": c[1024], "k": SPPF_KERNEL}),
        ],
        # 10 upsample, 11 concat(10, 6), 13 upsample, 14 concat(13, 4), 17 concat(16, 12), 20 concat(19, 9)
        "neck": [
            (12, "c2f", {"c1": c[1024] + c[512], "c2": c[512], "n": depth(3), "shortcut": False}),
            (15, "c2f", {"c1": c[512] + c[256], "c2": c[256], "n": depth(3), "shortcut": False}),
            (16, "conv", {"c1": c[256], "c2": c[256], "k": 3, "s": 2}),
            (18, "c2f", {"c1": c[256] + c[512], "c2": c[512], "n": depth(3), "shortcut": False}),
            (19, "conv", {"c1": c[512], "c2": c[512], "k": 3, "s": 2}),
            (21, "c2f", {"c1": c[512] + c[1024], "c2": c[1024], "n": depth(3), "shortcut": False}),
        ],
        "head": {
            "index": 22,
            "ch": ch,
            "nc": num_classes,
            "reg_max": REG_MAX,
            "c2": max(16, ch[0] // 4, REG_MAX * 4),  # box-branch width: 64
            "c3": max(ch[0], min(num_classes, 100)),  # class-branch width: 80
        },
    }


def class_bias_init(stride: int, num_classes: int = NUM_CLASSES, image_size: int = 640) -> float:
    """Ultralytics' Detect.bias_init for the class logits: log(5 / nc / (640 / s)^2) (~5 objects per image).

    Box-logit biases start at 1.0. With this prior a freshly initialised model scores ~1e-4 per class, so on the
    benchmark's random images almost no box passes CONF_THRESHOLD, as for a trained model on a typical image,
    where tens of boxes pass: NMS work is small, as in real inference at conf 0.25.
    """
    return math.log(5 / num_classes / (image_size / stride) ** 2)


def num_anchors(image_size: int) -> int:
    return sum((image_size // s) ** 2 for s in STRIDES)


def check_image_size(image_size: int) -> None:
    if image_size <= 0 or image_size % max(STRIDES):
        raise ValueError(f"image_size must be a positive multiple of {max(STRIDES)}, got {image_size}")


def parameter_count_expected(num_classes: int = NUM_CLASSES) -> int:
    """Parameters derived from ``layout`` by hand: conv weights, BN gamma+beta, head 1x1 conv biases."""
    lay = layout(num_classes)

    def conv(c1: int, c2: int, k: int) -> int:  # Conv2d(bias=False) + BN(gamma, beta)
        return c1 * c2 * k * k + 2 * c2

    def c2f(c1: int, c2: int, n: int, **_: object) -> int:
        h = c2 // 2
        return conv(c1, 2 * h, 1) + conv((2 + n) * h, c2, 1) + n * (2 * conv(h, h, 3))

    def sppf(c1: int, c2: int, **_: object) -> int:
        h = c1 // 2
        return conv(c1, h, 1) + conv(4 * h, c2, 1)

    total = 0
    for _, kind, a in lay["backbone"] + lay["neck"]:
        total += {"conv": lambda c1, c2, k, s: conv(c1, c2, k), "c2f": c2f, "sppf": sppf}[kind](**a)
    hd = lay["head"]
    for x in hd["ch"]:
        total += (
            conv(x, hd["c2"], 3)
            + conv(hd["c2"], hd["c2"], 3)
            + hd["c2"] * 4 * hd["reg_max"]
            + 4 * hd["reg_max"]
        )
        total += conv(x, hd["c3"], 3) + conv(hd["c3"], hd["c3"], 3) + hd["c3"] * hd["nc"] + hd["nc"]
    return total


def batchnorm_channels_expected(num_classes: int = NUM_CLASSES) -> int:
    """Number of BatchNorm channels (one fewer parameter each once BN is fused into the conv bias)."""
    lay = layout(num_classes)
    total = 0
    for _, kind, a in lay["backbone"] + lay["neck"]:
        if kind == "conv":
            total += a["c2"]
        elif kind == "c2f":
            h = a["c2"] // 2
            total += 2 * h + a["c2"] + a["n"] * 2 * h
        else:
            total += a["c1"] // 2 + a["c2"]
    hd = lay["head"]
    total += len(hd["ch"]) * (2 * hd["c2"] + 2 * hd["c3"])
    return total


def flops_per_sample_expected(image_size: int, num_classes: int = NUM_CLASSES) -> int:
    """Convolution FLOPs (2 x MACs, biases not counted) for one image, derived from ``layout``."""
    check_image_size(image_size)
    lay = layout(num_classes)
    macs = 0
    hw = image_size  # current spatial size (square)

    def conv(c1: int, c2: int, k: int, s: int, size: int) -> tuple[int, int]:
        out = size // s
        return c1 * c2 * k * k * out * out, out

    sizes = {}
    for i, kind, a in lay["backbone"]:
        if kind == "conv":
            m, hw = conv(a["c1"], a["c2"], a["k"], a["s"], hw)
        elif kind == "c2f":
            h = a["c2"] // 2
            m = (a["c1"] * 2 * h + (2 + a["n"]) * h * a["c2"] + a["n"] * 2 * h * h * 9) * hw * hw
        else:
            h = a["c1"] // 2
            m = (a["c1"] * h + 4 * h * a["c2"]) * hw * hw
        macs += m
        sizes[i] = hw
    p3, p4, p5 = sizes[4], sizes[6], sizes[9]
    neck_sizes = {12: p4, 15: p3, 16: p3, 18: p4, 19: p4, 21: p5}
    for i, kind, a in lay["neck"]:
        size = neck_sizes[i]
        if kind == "conv":
            m, _ = conv(a["c1"], a["c2"], a["k"], a["s"], size)
        else:
            h = a["c2"] // 2
            m = (a["c1"] * 2 * h + (2 + a["n"]) * h * a["c2"] + a["n"] * 2 * h * h * 9) * size * size
        macs += m
    hd = lay["head"]
    for x, size in zip(hd["ch"], (p3, p4, p5)):
        per_px = x * hd["c2"] * 9 + hd["c2"] * hd["c2"] * 9 + hd["c2"] * 4 * hd["reg_max"]
        per_px += x * hd["c3"] * 9 + hd["c3"] * hd["c3"] * 9 + hd["c3"] * hd["nc"]
        macs += per_px * size * size
    from generator.results.schema import FLOPS_PER_MAC

    return FLOPS_PER_MAC * macs


def make_batch(shape: dict[str, int], batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Images ``[B, 3, S, S]`` float32 in [0, 1] (NCHW) and dummy targets ``[B, 4, 5]`` float32.

    Targets are YOLO-format labels (class id, cx, cy, w, h normalised to [0, 1]); inference does not use them.
    """
    size = int(shape["image_size"])
    check_image_size(size)
    rng = np.random.default_rng(seed)
    images = rng.random((batch_size, 3, size, size), dtype=np.float32)
    cls = rng.integers(0, NUM_CLASSES, size=(batch_size, 4, 1)).astype(np.float32)
    cxcy = rng.uniform(0.2, 0.8, size=(batch_size, 4, 2)).astype(np.float32)
    wh = rng.uniform(0.05, 0.3, size=(batch_size, 4, 2)).astype(np.float32)
    return images, np.concatenate([cls, cxcy, wh], axis=-1)
