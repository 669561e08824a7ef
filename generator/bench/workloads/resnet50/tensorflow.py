"""ResNet-50 v1.5 in Keras 3 layers (TensorFlow backend): ``torch.py``'s network, operator for operator.

Not ``keras.applications.ResNet50``: that is v1 (stride in the first 1×1 convolution) with biased
convolutions, 25,636,712 parameters against v1.5's 25,557,032. Layers carry the canonical (torchvision) names,
e.g. ``layer1.0.conv2``, ``layer1.0.downsample.1``, so exporting and loading is a walk over the layers.

Where the frameworks differ by default, the PyTorch behaviour is reproduced:
- padding: PyTorch pads symmetrically; Keras ``padding="same"`` with stride 2 on an even size pads only the
  bottom/right, which shifts every strided window by one pixel. So strided convolutions and the max-pool get
  an explicit ``ZeroPadding2D`` and ``padding="valid"``. Zero-padding the max-pool is exact because its input
  comes out of a ReLU (≥ 0), where PyTorch's -inf padding never wins either;
- batch norm: Keras' momentum is the weight of the *old* statistic (PyTorch 0.1 ≡ Keras 0.9) and its epsilon
  defaults to 1e-3, PyTorch's to 1e-5;
- layout: Keras convolutions run NHWC (channels-last, the fast layout for TensorFlow on CPU); the task's NCHW
  batches are transposed once in :func:`to_framework_batch`, outside the timed step.

One difference is left as the frameworks define it: in training, PyTorch folds the *unbiased* batch variance
into its running variance, Keras the biased one (smaller by (n-1)/n, n = batch × height × width, at least 98 in
the last ResNet-50 stage at batch 2 and 224×224). A training step's outputs and gradients are the same;
only the statistics kept for inference drift apart, by well under 1%.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from generator.bench.workloads import flops
from generator.bench.workloads.porting import check_complete, tf_device
from generator.bench.workloads.resnet50.common import BN_EPSILON, BN_MOMENTUM_TORCH, EXPANSION, stage_plan

FRAMEWORK = "tensorflow"


def _conv(filters: int, kernel: int, stride: int, name: str) -> layers.Conv2D:
    # He-normal fan-out, as torchvision initialises; no bias: batch norm follows every convolution.
    init = keras.initializers.VarianceScaling(2.0, mode="fan_out", distribution="untruncated_normal")
    return layers.Conv2D(
        filters,
        kernel,
        strides=stride,
        padding="valid" if stride > 1 else "same",
        use_bias=False,
        kernel_initializer=init,
        name=name,
    )


def _conv_bn(x: Any, filters: int, kernel: int, stride: int, conv_name: str, bn_name: str) -> Any:
    if stride > 1 and kernel > 1:
        x = layers.ZeroPadding2D(kernel // 2, name=f"{conv_name}.pad")(x)
    x = _conv(filters, kernel, stride, conv_name)(x)
    return layers.BatchNormalization(momentum=1.0 - BN_MOMENTUM_TORCH, epsilon=BN_EPSILON, name=bn_name)(x)


def _bottleneck(x: Any, in_channels: int, inner: int, stride: int, name: str) -> Any:
    out_channels = inner * EXPANSION
    shortcut = x
    if stride != 1 or in_channels != out_channels:
        shortcut = _conv_bn(x, out_channels, 1, stride, f"{name}.downsample.0", f"{name}.downsample.1")
    y = layers.ReLU()(_conv_bn(x, inner, 1, 1, f"{name}.conv1", f"{name}.bn1"))
    y = layers.ReLU()(_conv_bn(y, inner, 3, stride, f"{name}.conv2", f"{name}.bn2"))
    y = _conv_bn(y, out_channels, 1, 1, f"{name}.conv3", f"{name}.bn3")
    return layers.ReLU()(layers.Add()([y, shortcut]))


def build_model(shape: dict[str, int], seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    width = shape["width"]
    images = keras.Input((None, None, 3), name="images")  # any image size, as the PyTorch model
    x = layers.ReLU()(_conv_bn(images, width, 7, 2, "conv1", "bn1"))
    x = layers.ZeroPadding2D(1, name="maxpool.pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="maxpool")(x)
    channels = width
    for index, (blocks, inner, stride) in enumerate(stage_plan(shape), start=1):
        for block in range(blocks):
            x = _bottleneck(x, channels, inner, stride if block == 0 else 1, f"layer{index}.{block}")
            channels = inner * EXPANSION
    x = layers.GlobalAveragePooling2D(name="avgpool")(x)
    # float32 logits under a mixed-precision policy, as the Keras mixed-precision guide requires.
    bound = 1.0 / np.sqrt(channels)  # PyTorch's nn.Linear default initialisation
    init = keras.initializers.RandomUniform(-bound, bound)
    logits = layers.Dense(
        shape["num_classes"], kernel_initializer=init, bias_initializer=init, dtype="float32", name="fc"
    )(x)
    return keras.Model(images, logits, name="resnet50_v1_5")


def to_framework_batch(batch: tuple[np.ndarray, np.ndarray], device: str) -> tuple[tf.Tensor, tf.Tensor]:
    images, labels = batch
    with tf.device(tf_device(device)):
        return tf.convert_to_tensor(images.transpose(0, 2, 3, 1)), tf.convert_to_tensor(labels)


def forward(model: keras.Model, inputs: Any, training: bool) -> Any:
    return model(inputs, training=training)


def loss(outputs: Any, targets: Any) -> Any:
    return tf.reduce_mean(
        keras.losses.sparse_categorical_crossentropy(targets, tf.cast(outputs, tf.float32), from_logits=True)
    )


def postprocess(outputs: Any) -> Any:
    return outputs


def flops_per_sample(model: keras.Model, shape: dict[str, int]) -> float:
    size = shape["image_size"]
    spec = tf.TensorSpec((1, size, size, 3), tf.float32)
    return flops.tensorflow_forward_flops(lambda images: model(images, training=False), spec)


def parameter_count(model: keras.Model) -> int:
    """Trainable and non-trainable weights, less batch norm's moving statistics (PyTorch keeps those as
    buffers, not parameters)."""
    statistics = {
        id(w)
        for layer in model.layers
        if isinstance(layer, layers.BatchNormalization)
        for w in (layer.moving_mean, layer.moving_variance)
    }
    return sum(int(np.prod(w.shape)) for w in model.weights if id(w) not in statistics)


# Keras weight → canonical tensor for each layer type: (canonical suffix, attribute, Keras→PyTorch layout).
_CONV = [("weight", "kernel", (3, 2, 0, 1))]  # HWIO → OIHW
_DENSE = [("weight", "kernel", (1, 0)), ("bias", "bias", None)]  # [in, out] → [out, in]
_BATCH_NORM = [
    ("weight", "gamma", None),
    ("bias", "beta", None),
    ("running_mean", "moving_mean", None),
    ("running_var", "moving_variance", None),
]


def _canonical_slots(model: keras.Model):
    """``(canonical name, Keras variable, permutation)`` for every weight of the model."""
    for layer in model.layers:
        table = (
            _CONV
            if isinstance(layer, layers.Conv2D)
            else _DENSE
            if isinstance(layer, layers.Dense)
            else _BATCH_NORM
            if isinstance(layer, layers.BatchNormalization)
            else []
        )
        for suffix, attribute, permutation in table:
            yield f"{layer.name}.{suffix}", getattr(layer, attribute), permutation


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    return {
        name: _to_canonical(variable.numpy(), permutation)
        for name, variable, permutation in _canonical_slots(model)
    }


def load_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    slots = list(_canonical_slots(model))
    check_complete(
        weights,
        {name: _canonical_shape(tuple(variable.shape), permutation) for name, variable, permutation in slots},
    )
    for name, variable, permutation in slots:
        value = np.asarray(weights[name])
        variable.assign(
            (value if permutation is None else value.transpose(np.argsort(permutation))).astype(
                variable.dtype
            )
        )


def _canonical_shape(shape: tuple[int, ...], permutation: tuple[int, ...] | None) -> tuple[int, ...]:
    return shape if permutation is None else tuple(shape[i] for i in permutation)


def _to_canonical(array: np.ndarray, permutation: tuple[int, ...] | None) -> np.ndarray:
    return array if permutation is None else np.ascontiguousarray(array.transpose(permutation))
