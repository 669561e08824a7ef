"""YOLOv8n-style detector in Keras 3 layers (see ``common`` for the architecture and the conventions).

Layers are named after the PyTorch modules (``model.2.m.0.cv1.conv``), so weight porting is a name lookup.
NHWC throughout; channel indices equal PyTorch's (concat and split act on the last axis in the same order).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from generator.bench.workloads import flops
from generator.bench.workloads.detection import common
from generator.bench.workloads.porting import check_complete, tf_device

FRAMEWORK = "tensorflow"


class _Init:
    """PyTorch's default conv initialisation, U(+-1/sqrt(fan_in)), seeded per layer (no global seed touched)."""

    def __init__(self, seed: int):
        self.seed = seed * 100_003

    def __call__(self) -> keras.initializers.Initializer:
        self.seed += 1
        return keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform", seed=self.seed)


def _conv(x, c2: int, k: int, s: int, name: str, init: _Init):
    """Conv2d(bias=False) + BatchNorm + SiLU, PyTorch padding k//2 on every side."""
    if s > 1:
        # Keras 'same' with stride 2 on an even size pads only bottom/right; PyTorch pads k//2 on all sides.
        x = layers.ZeroPadding2D(k // 2, name=f"{name}.pad")(x)
        padding = "valid"
    else:
        padding = "same"  # stride 1, odd k: 'same' pads k//2 on every side, as PyTorch does
    x = layers.Conv2D(
        c2, k, s, padding=padding, use_bias=False, kernel_initializer=init(), name=f"{name}.conv"
    )(x)
    # eps 1e-3 and torch momentum 0.03 == Keras momentum 0.97 (see common).
    x = layers.BatchNormalization(
        epsilon=common.BN_EPS, momentum=common.BN_MOMENTUM_KERAS, name=f"{name}.bn"
    )(x)
    return layers.Activation("silu", name=f"{name}.act")(x)


def _c2f(x, c2: int, n: int, shortcut: bool, name: str, init: _Init):
    h = c2 // 2
    y = _conv(x, 2 * h, 1, 1, f"{name}.cv1", init)
    ys = [y[..., :h], y[..., h:]]  # == torch chunk(2, dim=1)
    for j in range(n):
        b = _conv(ys[-1], h, 3, 1, f"{name}.m.{j}.cv1", init)
        b = _conv(b, h, 3, 1, f"{name}.m.{j}.cv2", init)
        ys.append(layers.Add(name=f"{name}.m.{j}.add")([ys[-1], b]) if shortcut else b)
    return _conv(layers.Concatenate(axis=-1, name=f"{name}.cat")(ys), c2, 1, 1, f"{name}.cv2", init)


def _sppf(x, c2: int, k: int, name: str, init: _Init):
    h = x.shape[-1] // 2
    ys = [_conv(x, h, 1, 1, f"{name}.cv1", init)]
    # TF 'SAME' max pooling ignores the padded cells (as if -inf), like torch MaxPool2d(padding=k//2); at stride
    # 1 with odd k the padding is k//2 on every side. Tested on all-negative inputs, where zero padding differs.
    pool = layers.MaxPooling2D(k, strides=1, padding="same", name=f"{name}.m")
    for _ in range(3):
        ys.append(pool(ys[-1]))
    return _conv(layers.Concatenate(axis=-1, name=f"{name}.cat")(ys), c2, 1, 1, f"{name}.cv2", init)


def build_yolov8(image_size: int, num_classes: int = common.NUM_CLASSES, seed: int = 0) -> keras.Model:
    common.check_image_size(image_size)
    init = _Init(seed)
    lay = common.layout(num_classes)
    spec = {i: (kind, a) for i, kind, a in lay["backbone"] + lay["neck"]}

    def block(i: int, x):
        kind, a = spec[i]
        if kind == "conv":
            return _conv(x, a["c2"], a["k"], a["s"], f"model.{i}", init)
        if kind == "c2f":
            return _c2f(x, a["c2"], a["n"], a["shortcut"], f"model.{i}", init)
        return _sppf(x, a["c2"], a["k"], f"model.{i}", init)

    def up(i: int, x):
        return layers.UpSampling2D(2, interpolation="nearest", name=f"model.{i}")(x)  # == nn.Upsample nearest

    def cat(i: int, xs):
        return layers.Concatenate(axis=-1, name=f"model.{i}")(xs)  # channel axis: -1 in NHWC (torch: 1)

    inputs = keras.Input((None, None, 3), name="images")  # any size that is a multiple of 32
    x = block(2, block(1, block(0, inputs)))
    p3 = block(4, block(3, x))
    p4 = block(6, block(5, p3))
    p5 = block(9, block(8, block(7, p4)))
    h12 = block(12, cat(11, [up(10, p5), p4]))
    h15 = block(15, cat(14, [up(13, h12), p3]))
    h18 = block(18, cat(17, [block(16, h15), h12]))
    h21 = block(21, cat(20, [block(19, h18), p5]))

    hd = lay["head"]
    outputs = []
    for lvl, (x, s) in enumerate(zip((h15, h18, h21), common.STRIDES)):
        branches = []
        for branch, width, n_out, bias in (
            ("cv2", hd["c2"], 4 * hd["reg_max"], 1.0),
            ("cv3", hd["c3"], hd["nc"], common.class_bias_init(s, hd["nc"])),
        ):
            name = f"model.22.{branch}.{lvl}"
            y = _conv(x, width, 3, 1, f"{name}.0", init)
            y = _conv(y, width, 3, 1, f"{name}.1", init)
            # Final logits in float32 under a mixed-precision policy (Keras mixed-precision guide).
            y = layers.Conv2D(
                n_out,
                1,
                kernel_initializer=init(),
                bias_initializer=keras.initializers.Constant(bias),  # Ultralytics' Detect.bias_init
                dtype="float32",
                name=f"{name}.2",
            )(y)
            branches.append(y)
        outputs.append(layers.Concatenate(axis=-1, dtype="float32", name=f"model.22.out.{lvl}")(branches))
    return keras.Model(inputs, outputs, name="yolov8n")


# --- FrameworkModule --------------------------------------------------------------------------------------------


def build_model(shape: dict[str, int], seed: int = 0) -> keras.Model:
    return build_yolov8(int(shape["image_size"]), int(shape.get("num_classes", common.NUM_CLASSES)), seed)


def to_framework_batch(batch: tuple[np.ndarray, np.ndarray], device: str) -> tuple[tf.Tensor, tf.Tensor]:
    images, targets = batch
    with tf.device(tf_device(device)):
        return tf.convert_to_tensor(np.ascontiguousarray(images.transpose(0, 2, 3, 1))), tf.convert_to_tensor(
            targets
        )


def forward(model: keras.Model, inputs: tf.Tensor, training: bool) -> list[tf.Tensor]:
    return model(inputs, training=training)


def loss(outputs, targets):
    raise NotImplementedError("object-detection is benchmarked for inference only (common.PHASES)")


def _flatten(outputs: list[tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Per-level raw outputs -> raw ``[B, A, 4*reg_max + nc]`` (float32), anchor points ``[A, 2]`` (grid units,
    cell centres) and strides ``[A, 1]``. Anchor order: P3, P4, P5, each row-major over (y, x), as PyTorch's
    ``reshape(B, C, H*W)``."""
    raw, anchors, strides = [], [], []
    for x, s in zip(outputs, common.STRIDES):
        x = tf.cast(x, tf.float32)
        dyn = tf.shape(x)
        b = x.shape[0] if x.shape[0] is not None else dyn[0]
        h = x.shape[1] if x.shape[1] is not None else dyn[1]
        w = x.shape[2] if x.shape[2] is not None else dyn[2]
        raw.append(tf.reshape(x, [b, h * w, x.shape[-1]]))
        sy, sx = tf.meshgrid(
            tf.range(h, dtype=tf.float32) + 0.5, tf.range(w, dtype=tf.float32) + 0.5, indexing="ij"
        )
        anchors.append(tf.reshape(tf.stack([sx, sy], -1), [-1, 2]))
        strides.append(tf.fill([h * w, 1], float(s)))
    return tf.concat(raw, 1), tf.concat(anchors, 0), tf.concat(strides, 0)


def _boxes(box_logits: tf.Tensor, anchor_points: tf.Tensor, stride: tf.Tensor) -> tf.Tensor:
    """DFL logits ``[..., 4*reg_max]`` -> xyxy boxes in pixels: softmax over each side's reg_max bins, the
    expectation sum(p_i * i) is that side's distance (left, top, right, bottom; grid units) from the anchor."""
    proj = tf.range(common.REG_MAX, dtype=tf.float32)
    bins = tf.reshape(box_logits, tf.concat([tf.shape(box_logits)[:-1], [4, common.REG_MAX]], 0))
    dist = tf.reduce_sum(tf.nn.softmax(bins, -1) * proj, -1)
    return tf.concat([anchor_points - dist[..., :2], anchor_points + dist[..., 2:]], -1) * stride


def decode(outputs: list[tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
    """All anchors decoded: boxes ``[B, A, 4]`` (x1, y1, x2, y2 in pixels) and class scores ``[B, A, nc]``.

    ``postprocess`` decodes only the boxes that pass the confidence threshold, with the same arithmetic.
    """
    raw, anchor_points, stride = _flatten(outputs)
    reg4 = 4 * common.REG_MAX
    return _boxes(raw[..., :reg4], anchor_points, stride), tf.sigmoid(raw[..., reg4:])


def _top_candidates(conf: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The k highest confidences per image and their anchor indices, k = the largest number of anchors above
    CONF_THRESHOLD in any image of the batch (at least 1, at most MAX_NMS): a static-rank, padded equivalent of
    PyTorch's per-image filtering. Entries at or below the threshold are dropped by the NMS op's score_threshold."""
    count = tf.reduce_max(tf.reduce_sum(tf.cast(conf > common.CONF_THRESHOLD, tf.int32), -1))
    k = tf.clip_by_value(count, 1, min(common.MAX_NMS, conf.shape[-1] or common.MAX_NMS))
    return tf.math.top_k(conf, k, sorted=True)


def postprocess(outputs: list[tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
    """Threshold, decode, class-aware NMS, top ``MAX_DET`` per image: ``(detections [B, MAX_DET, 6], counts [B])``.

    Confidence is sigmoid(max class logit) (== max of the sigmoids) with its class; boxes are decoded for the
    candidates only, as on the PyTorch side. The op has no XLA kernel: run postprocess outside ``jit_compile``
    (eagerly or in a plain ``tf.function``).
    """
    raw, anchor_points, stride = _flatten(outputs)
    reg4 = 4 * common.REG_MAX
    logits = raw[..., reg4:]
    conf = tf.sigmoid(tf.reduce_max(logits, -1))
    cls = tf.argmax(logits, -1, output_type=tf.int32)  # single-label: each box's best class
    conf, idx = _top_candidates(conf)
    cand = tf.gather(raw, idx, batch_dims=1)
    boxes = _boxes(cand[..., :reg4], tf.gather(anchor_points, idx), tf.gather(stride, idx))
    return _nms(boxes, conf, tf.gather(cls, idx, batch_dims=1), raw.shape[-1] - reg4)


def select(boxes: tf.Tensor, scores: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """``postprocess`` from already decoded boxes ``[B, A, 4]`` and scores ``[B, A, nc]`` (as ``decode`` gives)."""
    conf, idx = _top_candidates(tf.reduce_max(scores, -1))
    cls = tf.gather(tf.argmax(scores, -1, output_type=tf.int32), idx, batch_dims=1)
    return _nms(tf.gather(boxes, idx, batch_dims=1), conf, cls, scores.shape[-1])


def _nms(boxes: tf.Tensor, conf: tf.Tensor, cls: tf.Tensor, num_classes: int) -> tuple[tf.Tensor, tf.Tensor]:
    """``tf.image.combined_non_max_suppression`` runs greedy NMS per image and class (keeps scores > threshold,
    suppresses IoU > threshold, the IoU formula the PyTorch side reproduces) and returns the top
    ``max_total_size`` by score over all classes. Scores are zero outside each box's best class, so every box
    competes only in that class: Ultralytics' single-label NMS. A per-class cap of MAX_DET cannot change the
    overall top MAX_DET. Boxes go in as (x1, y1, x2, y2): the kernel's IoU is symmetric in x and y.
    ``clip_boxes`` is off (its default clips to [0, 1])."""
    single = tf.one_hot(cls, num_classes, dtype=tf.float32) * conf[..., None]
    nboxes, nscores, nclasses, valid = tf.image.combined_non_max_suppression(
        boxes[:, :, None, :],
        single,
        max_output_size_per_class=common.MAX_DET,
        max_total_size=common.MAX_DET,
        iou_threshold=common.IOU_THRESHOLD,
        score_threshold=common.CONF_THRESHOLD,
        pad_per_class=False,
        clip_boxes=False,
    )
    return tf.concat([nboxes, nscores[..., None], nclasses[..., None]], -1), valid


def flops_per_sample(model: keras.Model, shape: dict[str, int]) -> float:
    """``flops.tensorflow_forward_flops``: the Conv2D MACs of the traced one-image graph x FLOPS_PER_MAC."""
    size = int(shape["image_size"])
    spec = tf.TensorSpec((1, size, size, 3), tf.float32)
    return flops.tensorflow_forward_flops(lambda images: model(images, training=False), spec)


def parameter_count(model: keras.Model) -> int:
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            total += int(layer.gamma.shape[0]) + int(layer.beta.shape[0])  # moving mean/variance excluded
        else:
            total += sum(int(np.prod(v.shape)) for v in layer.weights)
    return total


def _canonical(model: keras.Model) -> dict[str, tuple[keras.Variable, str]]:
    """Canonical name -> (variable, kind) with kind 'conv' (HWIO <-> OIHW) or 'vector'."""
    out: dict[str, tuple[keras.Variable, str]] = {}
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            out[f"{layer.name}.weight"] = (layer.kernel, "conv")
            if layer.use_bias:
                out[f"{layer.name}.bias"] = (layer.bias, "vector")
        elif isinstance(layer, layers.BatchNormalization):
            out[f"{layer.name}.weight"] = (layer.gamma, "vector")
            out[f"{layer.name}.bias"] = (layer.beta, "vector")
            out[f"{layer.name}.running_mean"] = (layer.moving_mean, "vector")
            out[f"{layer.name}.running_var"] = (layer.moving_variance, "vector")
        elif layer.weights:
            raise TypeError(f"no canonical name for the weights of layer {layer.name}")
    return out


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    return {
        k: (np.transpose(np.asarray(v), (3, 2, 0, 1)) if kind == "conv" else np.asarray(v)).copy()
        for k, (v, kind) in _canonical(model).items()
    }


def load_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    canon = _canonical(model)
    # Expected canonical (OIHW) shapes, checked in full before any variable is assigned.
    check_complete(weights, {
        k: (tuple(var.shape[i] for i in (3, 2, 0, 1)) if kind == "conv" else tuple(var.shape))
        for k, (var, kind) in canon.items()
    })
    for k, (var, kind) in canon.items():
        v = np.asarray(weights[k])
        if kind == "conv":
            v = np.transpose(v, (2, 3, 1, 0))  # OIHW -> HWIO
        var.assign(v.astype(var.dtype))
