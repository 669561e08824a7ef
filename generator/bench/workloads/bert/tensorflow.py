"""BERT-base sequence classifier in Keras 3 layers (TensorFlow backend), the same network as ``torch.py``.

Self-attention is ``keras.layers.MultiHeadAttention``: its per-head kernels ([hidden, heads, head_dim] for the
query/key/value projections, [heads, head_dim, hidden] for the output one) are PyTorch's ``nn.Linear`` weights
reshaped, so weights port exactly. What is made equal to PyTorch on purpose:
- GELU: BERT (and ``F.gelu``) use the exact erf form. Keras has both defaults (``keras.activations.gelu`` is
  exact, ``keras.ops.gelu`` the tanh approximation), so the intermediate layer says ``approximate=False``;
- LayerNorm epsilon 1e-12 (Keras' default is 1e-3);
- padding mask: a boolean [B, 1, S] mask (True = real token) broadcast over heads and queries, as PyTorch's
  [B, 1, 1, S] mask; Keras' masked softmax adds a large negative number where PyTorch uses -inf, and both give
  masked keys a probability of exactly 0 in float32;
- dropout (hidden 0.1 and attention-probability 0.1) only when ``training=True``.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import math
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from generator.bench.workloads import flops
from generator.bench.workloads.bert.common import DROPOUT, INITIALIZER_STD, LAYER_NORM_EPSILON
from generator.bench.workloads.porting import check_complete, tf_device

# A classifier like ResNet-50: the same forward call, float32 cross-entropy and identity post-processing.
from generator.bench.workloads.resnet50.tensorflow import forward, loss, postprocess  # noqa: F401

FRAMEWORK = "tensorflow"


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(stddev=INITIALIZER_STD)


def _layer_norm(name: str) -> layers.LayerNormalization:
    return layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name=name)


def _exact_gelu(x: Any) -> Any:
    return keras.activations.gelu(x, approximate=False)


class Embeddings(layers.Layer):
    """Word + position + token-type embeddings, LayerNorm, dropout (token type 0: single sentences)."""

    def __init__(self, shape: dict[str, int], **kwargs):
        super().__init__(**kwargs)
        hidden = shape["hidden"]
        self.word_embeddings = layers.Embedding(
            shape["vocab_size"], hidden, embeddings_initializer=_init(), name="word_embeddings"
        )
        self.position_embeddings = layers.Embedding(
            shape["max_positions"], hidden, embeddings_initializer=_init(), name="position_embeddings"
        )
        self.token_type_embeddings = layers.Embedding(
            shape["type_vocab_size"], hidden, embeddings_initializer=_init(), name="token_type_embeddings"
        )
        self.layer_norm = _layer_norm("LayerNorm")
        self.dropout = layers.Dropout(DROPOUT)

    def build(self, input_shape):
        for table in (self.word_embeddings, self.position_embeddings, self.token_type_embeddings):
            table.build(input_shape)
        self.layer_norm.build((*input_shape, self.word_embeddings.output_dim))

    def call(self, input_ids, training=None):
        seq_len = ops.shape(input_ids)[1]
        x = self.word_embeddings(input_ids)
        x = x + ops.cast(self.position_embeddings.embeddings[:seq_len], x.dtype)
        x = x + ops.cast(self.token_type_embeddings.embeddings[0], x.dtype)
        return self.dropout(self.layer_norm(x), training=training)


class EncoderLayer(layers.Layer):
    """One post-norm transformer layer: attention → add & norm → FFN (exact GELU) → add & norm."""

    def __init__(self, shape: dict[str, int], **kwargs):
        super().__init__(**kwargs)
        hidden, heads = shape["hidden"], shape["heads"]
        dense = {"kernel_initializer": _init()}
        self.attention = layers.MultiHeadAttention(
            heads, hidden // heads, dropout=DROPOUT, kernel_initializer=_init(), name="attention"
        )
        self.attention_norm = _layer_norm("attention_norm")
        self.intermediate = layers.Dense(
            shape["intermediate"], activation=_exact_gelu, name="intermediate", **dense
        )
        self.output_dense = layers.Dense(hidden, name="output_dense", **dense)
        self.output_norm = _layer_norm("output_norm")
        self.dropout = layers.Dropout(DROPOUT)

    def build(self, x_shape, key_mask_shape=None):
        hidden_shape = tuple(x_shape)
        self.attention.build(hidden_shape, hidden_shape)
        self.attention_norm.build(hidden_shape)
        self.intermediate.build(hidden_shape)
        self.output_dense.build((*hidden_shape[:-1], self.intermediate.units))
        self.output_norm.build(hidden_shape)

    def call(self, x, key_mask, training=None):
        attended = self.attention(x, x, attention_mask=key_mask, training=training)
        x = self.attention_norm(x + self.dropout(attended, training=training))
        return self.output_norm(x + self.dropout(self.output_dense(self.intermediate(x)), training=training))


def build_model(shape: dict[str, int], seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    hidden = shape["hidden"]
    # Any sequence length up to max_positions, as the PyTorch model.
    input_ids = keras.Input((None,), dtype="int32", name="input_ids")
    attention_mask = keras.Input((None,), dtype="int32", name="attention_mask")
    key_mask = ops.expand_dims(ops.cast(attention_mask, "bool"), 1)  # [B, 1, S]
    x = Embeddings(shape, name="bert.embeddings")(input_ids)
    for index in range(shape["num_layers"]):
        x = EncoderLayer(shape, name=f"bert.encoder.layer.{index}")(x, key_mask)
    pooled = layers.Dense(hidden, activation="tanh", kernel_initializer=_init(), name="bert.pooler.dense")(
        x[:, 0]
    )
    pooled = layers.Dropout(DROPOUT)(pooled)
    # float32 logits under a mixed-precision policy, as the Keras mixed-precision guide requires.
    logits = layers.Dense(
        shape["num_classes"], kernel_initializer=_init(), dtype="float32", name="classifier"
    )(pooled)
    return keras.Model(
        {"input_ids": input_ids, "attention_mask": attention_mask}, logits, name="bert_classifier"
    )


def to_framework_batch(batch: tuple[dict[str, np.ndarray], np.ndarray], device: str):
    inputs, labels = batch
    with tf.device(tf_device(device)):
        tensors = {name: tf.convert_to_tensor(array) for name, array in inputs.items()}
        return tensors, tf.convert_to_tensor(labels)


def flops_per_sample(model: keras.Model, shape: dict[str, int]) -> float:
    """Counted on a one-sentence graph of full length: attention cost does not shrink with the mask."""
    spec = tf.TensorSpec((1, shape["seq_len"]), tf.int32)
    return flops.tensorflow_forward_flops(
        lambda ids, mask: model({"input_ids": ids, "attention_mask": mask}, training=False), spec, spec
    )


def parameter_count(model: keras.Model) -> int:
    return sum(math.prod(w.shape) for w in model.weights)


# Layout of a Keras variable relative to its canonical (PyTorch) tensor:
SAME = "same"  # identical (embeddings, LayerNorm, plain biases)
FLAT = "flat"  # per-head bias [heads, head_dim] ↔ [hidden]
# an int k: a kernel whose first k axes are inputs ↔ nn.Linear's [out, in] (reshape to [in, out], transpose)


def _canonical_slots(model: keras.Model) -> Iterator[tuple[str, Any, str | int]]:
    """``(canonical name, Keras variable, layout)`` for every weight, in Hugging Face's names."""
    embeddings = model.get_layer("bert.embeddings")
    for table in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        yield f"bert.embeddings.{table}.weight", getattr(embeddings, table).embeddings, SAME
    yield from _layer_norm_slots("bert.embeddings.LayerNorm", embeddings.layer_norm)
    for layer in model.layers:
        if not isinstance(layer, EncoderLayer):
            continue
        prefix, attention = layer.name, layer.attention
        for part in ("query", "key", "value"):
            dense = getattr(attention, f"{part}_dense")
            yield f"{prefix}.attention.self.{part}.weight", dense.kernel, 1
            yield f"{prefix}.attention.self.{part}.bias", dense.bias, FLAT
        yield f"{prefix}.attention.output.dense.weight", attention.output_dense.kernel, 2
        yield f"{prefix}.attention.output.dense.bias", attention.output_dense.bias, SAME
        yield from _layer_norm_slots(f"{prefix}.attention.output.LayerNorm", layer.attention_norm)
        yield from _dense_slots(f"{prefix}.intermediate.dense", layer.intermediate)
        yield from _dense_slots(f"{prefix}.output.dense", layer.output_dense)
        yield from _layer_norm_slots(f"{prefix}.output.LayerNorm", layer.output_norm)
    yield from _dense_slots("bert.pooler.dense", model.get_layer("bert.pooler.dense"))
    yield from _dense_slots("classifier", model.get_layer("classifier"))


def _dense_slots(name: str, dense: layers.Dense):
    yield f"{name}.weight", dense.kernel, 1
    yield f"{name}.bias", dense.bias, SAME


def _layer_norm_slots(name: str, norm: layers.LayerNormalization):
    yield f"{name}.weight", norm.gamma, SAME
    yield f"{name}.bias", norm.beta, SAME


def _canonical_shape(shape: tuple[int, ...], layout: str | int) -> tuple[int, ...]:
    if layout == SAME:
        return shape
    if layout == FLAT:
        return (math.prod(shape),)
    return math.prod(shape[layout:]), math.prod(shape[:layout])


def _to_canonical(array: np.ndarray, layout: str | int) -> np.ndarray:
    shape = _canonical_shape(array.shape, layout)
    return np.ascontiguousarray(
        array.reshape(shape[::-1]).T if isinstance(layout, int) else array.reshape(shape)
    )


def export_weights(model: keras.Model) -> dict[str, np.ndarray]:
    return {
        name: _to_canonical(variable.numpy(), layout) for name, variable, layout in _canonical_slots(model)
    }


def load_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    slots = list(_canonical_slots(model))
    check_complete(
        weights, {name: _canonical_shape(tuple(variable.shape), layout) for name, variable, layout in slots}
    )
    for name, variable, layout in slots:
        value = np.asarray(weights[name])
        value = value.T if isinstance(layout, int) else value
        variable.assign(value.reshape(tuple(variable.shape)).astype(variable.dtype))
