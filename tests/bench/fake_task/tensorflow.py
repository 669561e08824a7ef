"""The fake task in Keras: Dense(relu) → Dense, logits kept in float32 under mixed precision."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tests.bench.fake_task import common

FRAMEWORK = "tensorflow"


def build_model(shape: dict[str, int], seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((shape["features"],)),
        keras.layers.Dense(shape["hidden"], activation="relu", name="0"),
        keras.layers.Dense(shape["num_classes"], dtype="float32", name="2"),
    ])


def to_framework_batch(batch: tuple[np.ndarray, np.ndarray], device: str):
    common.misbehave(len(batch[0]))
    return tf.constant(batch[0]), tf.constant(batch[1])


def forward(model: keras.Model, inputs: tf.Tensor, training: bool) -> tf.Tensor:
    return model(inputs, training=training)


def loss(outputs: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, tf.cast(outputs, tf.float32)))


def postprocess(outputs: tf.Tensor) -> tf.Tensor:
    return tf.nn.softmax(tf.cast(outputs, tf.float32), axis=-1)


def flops_per_sample(model: keras.Model, shape: dict[str, int]) -> float:
    return common.flops_per_sample(shape)


def parameter_count(model: keras.Model) -> int:
    return int(sum(np.prod(v.shape) for v in model.weights))


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    weights = {}
    for layer in model.layers:
        kernel, bias = layer.get_weights()
        weights[f"{layer.name}.weight"], weights[f"{layer.name}.bias"] = kernel.T, bias
    return weights


def load_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    for layer in model.layers:
        layer.set_weights([weights[f"{layer.name}.weight"].T, weights[f"{layer.name}.bias"]])
