"""The digits ResNet and its training step in Keras 3 on TensorFlow (imported only inside the TensorFlow worker).

Layer names are the canonical (PyTorch) module names, so porting is a name lookup plus a layout change.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers, ops  # noqa: E402

from generator.bench.accuracy.loop import Trainer  # noqa: E402
from generator.bench.accuracy.port import (  # noqa: E402
    KERAS_TO_BN,
    check_complete,
    conv_from_keras,
    conv_to_keras,
    linear_from_keras,
    linear_to_keras,
)
from generator.bench.accuracy.spec import (  # noqa: E402
    IMAGE_SIZE,
    NUM_CLASSES,
    TrainConfig,
    blocks,
    has_downsample,
    parameter_shapes,
)

FRAMEWORK = "tensorflow"


class TorchStyleBatchNorm(layers.BatchNormalization):
    """Keras batch norm with PyTorch's running-variance update.

    Both normalise a training batch with its biased variance, but PyTorch updates ``running_var`` with the
    *unbiased* variance (× n / (n - 1), n = batch × height × width) and Keras with the biased one. The gap is
    small (n ≥ 128 here) yet it changes every evaluation, so this layer applies PyTorch's correction. The momentum
    is converted too: PyTorch's 0.1 weights the new batch, Keras's ``momentum`` weights the old average (0.9).
    """

    def __init__(self, cfg: TrainConfig, **kwargs: object) -> None:
        super().__init__(axis=-1, momentum=1.0 - cfg.bn_momentum_torch, epsilon=cfg.bn_epsilon, **kwargs)

    def call(self, inputs, training=None, mask=None):  # type: ignore[override]
        if not (training and self.trainable) or mask is not None:
            return super().call(inputs, training=training, mask=mask)
        mean, variance = ops.moments(inputs, axes=self._reduction_axes)
        count = tf.cast(tf.size(inputs) // inputs.shape[-1], inputs.dtype)  # values per channel in the batch
        unbiased = variance * count / ops.maximum(count - 1.0, 1.0)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + unbiased * (1.0 - self.momentum))
        return ops.batch_normalization(
            inputs, mean, variance, axis=-1, offset=self.beta, scale=self.gamma, epsilon=self.epsilon
        )


class TorchStyleAdam(keras.optimizers.Adam):
    """Keras Adam with PyTorch's update formula, so the two optimisers take the same steps.

    Both keep the same moment estimates m and v, but PyTorch divides by ``sqrt(v) / sqrt(1 - beta2**t) + eps``
    (epsilon added after the bias correction) and Keras by ``sqrt(v) + eps`` with the correction folded into the
    step size (epsilon before it). Keras's epsilon therefore acts like ``eps / sqrt(1 - beta2**t)`` in PyTorch's
    terms: 32 times larger at the first step, which visibly changes the first updates of weights with tiny
    gradients (measured up to 40% of a step). This subclass applies torch.optim.Adam's formula (no amsgrad).
    """

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        step = ops.cast(self.iterations + 1, variable.dtype)
        bias_correction1 = 1 - ops.power(ops.cast(self.beta_1, variable.dtype), step)
        bias_correction2 = 1 - ops.power(ops.cast(self.beta_2, variable.dtype), step)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))  # torch: lerp_
        self.assign(v, ops.add(ops.multiply(v, self.beta_2), ops.multiply(ops.square(gradient), 1 - self.beta_2)))
        denominator = ops.add(ops.divide(ops.sqrt(v), ops.sqrt(bias_correction2)), self.epsilon)
        self.assign_sub(variable, ops.multiply(ops.divide(m, denominator), lr / bias_correction1))


def _conv(x, filters: int, kernel: int, stride: int, name: str):
    if kernel == 3 and stride > 1:
        # Keras 'same' pads a strided convolution on the bottom/right only (here 0 top, 1 bottom for 8 -> 4);
        # PyTorch's padding=1 pads one pixel on every side. Explicit symmetric padding + 'valid' matches PyTorch.
        x = layers.ZeroPadding2D(1, name=f"{name}.pad")(x)
        return layers.Conv2D(filters, kernel, strides=stride, padding="valid", use_bias=False, name=name)(x)
    # Stride 1 (3×3 pads 1 each side in both) or a 1×1 projection (no padding in either).
    padding = "same" if kernel == 3 else "valid"
    return layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False, name=name)(x)


def build_model(cfg: TrainConfig) -> keras.Model:
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), name="images")  # NHWC: Keras's native layout on CPU
    x = _conv(inputs, cfg.stem_width, 3, 1, "conv1")
    x = layers.ReLU()(TorchStyleBatchNorm(cfg, name="bn1")(x))
    for prefix, cin, cout, stride in blocks(cfg):
        identity = x
        if has_downsample(cin, cout, stride):
            identity = _conv(x, cout, 1, stride, f"{prefix}.downsample.0")
            identity = TorchStyleBatchNorm(cfg, name=f"{prefix}.downsample.1")(identity)
        out = _conv(x, cout, 3, stride, f"{prefix}.conv1")
        out = layers.ReLU()(TorchStyleBatchNorm(cfg, name=f"{prefix}.bn1")(out))
        out = _conv(out, cout, 3, 1, f"{prefix}.conv2")
        out = TorchStyleBatchNorm(cfg, name=f"{prefix}.bn2")(out)
        x = layers.ReLU()(layers.Add()([out, identity]))
    x = layers.GlobalAveragePooling2D()(x)
    logits = layers.Dense(NUM_CLASSES, name="fc", dtype="float32")(x)
    return keras.Model(inputs, logits, name="digits_resnet")


def _module_names(cfg: TrainConfig) -> set[str]:
    return {name.rsplit(".", 1)[0] for name in parameter_shapes(cfg)}


def export_weights(model: keras.Model, cfg: TrainConfig) -> dict[str, np.ndarray]:
    weights: dict[str, np.ndarray] = {}
    for module in _module_names(cfg):
        layer = model.get_layer(module)
        if isinstance(layer, layers.BatchNormalization):
            for variable in layer.weights:
                weights[f"{module}.{KERAS_TO_BN[variable.name]}"] = np.asarray(variable.numpy())
        elif isinstance(layer, layers.Dense):
            weights[f"{module}.weight"] = linear_from_keras(layer.kernel.numpy())
            weights[f"{module}.bias"] = np.asarray(layer.bias.numpy())
        else:
            weights[f"{module}.weight"] = conv_from_keras(layer.kernel.numpy())
    return weights


def load_weights(model: keras.Model, weights: dict[str, np.ndarray], cfg: TrainConfig) -> None:
    check_complete(weights, parameter_shapes(cfg))
    for module in _module_names(cfg):
        layer = model.get_layer(module)
        if isinstance(layer, layers.BatchNormalization):
            for variable in layer.weights:
                variable.assign(weights[f"{module}.{KERAS_TO_BN[variable.name]}"])
        elif isinstance(layer, layers.Dense):
            layer.kernel.assign(linear_to_keras(weights[f"{module}.weight"]))
            layer.bias.assign(weights[f"{module}.bias"])
        else:
            layer.kernel.assign(conv_to_keras(weights[f"{module}.weight"]))


class KerasTrainer(Trainer):
    def __init__(self, model: keras.Model, cfg: TrainConfig) -> None:
        self.model = model
        # learning_rate is a variable assigned before every step from spec.learning_rates (same values as PyTorch).
        self.optimizer = TorchStyleAdam(
            learning_rate=cfg.peak_learning_rate,
            beta_1=cfg.adam_beta1,
            beta_2=cfg.adam_beta2,
            epsilon=cfg.adam_epsilon,  # Keras's default is 1e-7, PyTorch's 1e-8; placed as PyTorch places it
        )
        self.optimizer.build(model.trainable_variables)
        self.loss_fn = keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=cfg.label_smoothing
        )  # mean over the batch, as F.cross_entropy

        signature = [
            tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE, 1], tf.float32),
            tf.TensorSpec([None], tf.int64),
        ]

        @tf.function(input_signature=signature)  # graph mode: how Keras itself trains
        def step(images, labels):
            with tf.GradientTape() as tape:
                logits = self.model(images, training=True)
                loss = self.loss_fn(tf.one_hot(labels, NUM_CLASSES), logits)
            gradients = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.model.trainable_variables))
            return loss

        @tf.function(input_signature=signature[:1])
        def infer(images):
            return self.model(images, training=False)

        self._step, self._infer = step, infer

    def train_step(self, images: np.ndarray, labels: np.ndarray, learning_rate: float) -> float:
        self.optimizer.learning_rate.assign(learning_rate)
        nhwc = tf.constant(images.transpose(0, 2, 3, 1))
        return float(self._step(nhwc, tf.constant(labels)))

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self._infer(tf.constant(images.transpose(0, 2, 3, 1))).numpy()


def configure(cfg: TrainConfig) -> dict[str, str]:
    """Threads and determinism; returns the build facts the result records."""
    tf.config.threading.set_intra_op_parallelism_threads(cfg.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    build = tf.sysconfig.get_build_info()
    return {
        "version": tf.__version__,
        "keras": keras.__version__,
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
        "cuda_build": str(build.get("is_cuda_build", False)),
    }


def make_trainer(cfg: TrainConfig, weights: dict[str, np.ndarray]) -> KerasTrainer:
    model = build_model(cfg)
    load_weights(model, weights, cfg)
    return KerasTrainer(model, cfg)
