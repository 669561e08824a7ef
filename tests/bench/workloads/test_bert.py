"""BERT-base, 2-class head: the PyTorch and Keras models are the same network (parameters, outputs, FLOPs).

Equivalence is checked in inference mode (dropout off) on a reduced configuration (2 layers, hidden 128) with
every weight random, in both directions, and once on the full BERT-base configuration at 128 tokens.

Tolerance: max |Keras - PyTorch| <= 2e-5 × max |logits| (float32, CPU). Why: LayerNorm after every sublayer
keeps activations of order 1, so float32 round-off leaves the logits within ~1e-6 of their scale from a
float64 run of the same weights, in either framework, and the two frameworks differ by 3e-7 to 1.6e-6
(measured, reduced and full configurations); 2e-5 is a >10× margin. It still catches a subtle operator
mistake: the tanh-approximate GELU (``keras.ops.gelu``'s default) moves the reduced model's logits by ~1.2e-4
of their scale; attending to padding moves them by far more (both tested below).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch

from generator.bench.workloads import flops
from generator.bench.workloads.base import TASK_PACKAGES
from generator.bench.workloads.bert import common, port
from generator.bench.workloads.bert import tensorflow as tfm
from generator.bench.workloads.bert import torch as ptm

pytestmark = pytest.mark.bench

BERT_BASE_PARAMETERS = 109_483_778  # with the 2-class head; derived in parameters_from_architecture
LOGIT_RTOL = 2e-5
REDUCED = {
    **common.BERT_BASE_128,
    "num_layers": 2,
    "hidden": 128,
    "heads": 4,
    "intermediate": 512,
    "seq_len": 32,
    "vocab_size": 2000,
    "max_positions": 64,
}


def parameters_from_architecture(s: dict[str, int]) -> int:
    """Counted from BERT's description, independently of both models."""
    hidden, ffn = s["hidden"], s["intermediate"]
    embeddings = (
        s["vocab_size"] + s["max_positions"] + s["type_vocab_size"]
    ) * hidden + 2 * hidden  # + LayerNorm
    attention = 4 * (hidden * hidden + hidden) + 2 * hidden  # Q, K, V, output projections + LayerNorm
    feed_forward = (hidden * ffn + ffn) + (ffn * hidden + hidden) + 2 * hidden  # two dense layers + LayerNorm
    pooler = hidden * hidden + hidden
    classifier = hidden * s["num_classes"] + s["num_classes"]
    return embeddings + s["num_layers"] * (attention + feed_forward) + pooler + classifier


def macs_from_architecture(s: dict[str, int]) -> int:
    """What the convention counts: every matmul, attention's two products included; the pooler and classifier
    act on the [CLS] position only; embedding lookups, LayerNorm, GELU and softmax are not
    multiply-accumulates."""
    tokens, hidden, ffn = s["seq_len"], s["hidden"], s["intermediate"]
    projections = 4 * tokens * hidden * hidden  # Q, K, V and output
    attention_products = 2 * tokens * tokens * hidden  # scores Q·Kᵀ and context P·V, summed over heads
    feed_forward = 2 * tokens * hidden * ffn
    head = hidden * hidden + hidden * s["num_classes"]
    return s["num_layers"] * (projections + attention_products + feed_forward) + head


def randomize(weights: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """Every canonical tensor random, so a swapped or mis-laid-out tensor changes the outputs (a fresh model
    has zero biases and unit LayerNorm scales, which would hide such mistakes)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, array in weights.items():
        if name.endswith("LayerNorm.weight"):
            value = 1.0 + 0.2 * rng.standard_normal(array.shape)
        else:
            value = (0.1 if array.ndim == 1 else 0.08) * rng.standard_normal(array.shape)
        out[name] = value.astype(np.float32)
    return out


def _numpy(outputs) -> np.ndarray:
    return outputs.detach().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)


def _outputs(module, model, batch, training: bool = False) -> np.ndarray:
    inputs, _ = module.to_framework_batch(batch, "cpu")
    return _numpy(module.forward(model, inputs, training))


@pytest.fixture(scope="module")
def reduced_models():
    """A reduced BERT with random weights in PyTorch, ported to Keras."""
    torch_model = ptm.build_model(REDUCED, seed=0)
    ptm.load_weights(torch_model, randomize(ptm.export_weights(torch_model), seed=1))
    keras_model = tfm.build_model(REDUCED, seed=0)
    port.port(ptm, torch_model, tfm, keras_model)
    return torch_model, keras_model


@pytest.fixture(scope="module")
def reduced_batch():
    return common.make_batch(REDUCED, 4, seed=0)


@pytest.fixture(scope="module")
def base_models():
    """Full BERT-base, built once for the parameter, FLOP and full-size equivalence tests."""
    torch_model = ptm.build_model(common.BERT_BASE_128, seed=0)
    keras_model = tfm.build_model(common.BERT_BASE_128, seed=0)
    return torch_model, keras_model


# --- the task contract ------------------------------------------------------------------------------------


def test_task_is_registered_with_every_suite():
    assert TASK_PACKAGES[common.TASK] == "generator.bench.workloads.bert"
    assert set(common.SHAPES) == {"smoke", "standard", "full"}
    assert common.SHAPES["standard"]["seq_len"] == 128 and common.SHAPES["standard"]["num_layers"] == 12
    assert set(common.PHASES) == {"train", "inference"}


def test_make_batch_pads_sentences_behind_a_mask():
    inputs, labels = common.make_batch(common.BERT_BASE_128, 8, seed=3)
    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    assert ids.shape == mask.shape == (8, 128) and ids.dtype == mask.dtype == np.int32
    assert labels.shape == (8,) and labels.dtype == np.int64 and set(labels) <= {0, 1}
    lengths = mask.sum(axis=1)
    assert lengths.min() >= 64 and lengths.max() <= 128 and len(set(lengths)) > 1  # padding varies
    assert (ids[:, 0] == common.CLS_ID).all() and (ids[np.arange(8), lengths - 1] == common.SEP_ID).all()
    assert (ids[mask == 0] == common.PAD_ID).all() and (ids[mask == 1] != common.PAD_ID).all()
    np.testing.assert_array_equal(common.make_batch(common.BERT_BASE_128, 8, seed=3)[0]["input_ids"], ids)


# --- parameters and FLOPs ---------------------------------------------------------------------------------


def test_parameter_count_is_bert_bases(base_models):
    torch_model, keras_model = base_models
    assert parameters_from_architecture(common.BERT_BASE_128) == BERT_BASE_PARAMETERS
    assert ptm.parameter_count(torch_model) == BERT_BASE_PARAMETERS
    assert tfm.parameter_count(keras_model) == BERT_BASE_PARAMETERS


def test_smaller_configurations_count_the_same(reduced_models):
    expected = parameters_from_architecture(REDUCED)
    assert [ptm.parameter_count(reduced_models[0]), tfm.parameter_count(reduced_models[1])] == [expected] * 2
    smoke = common.SHAPES["smoke"]
    expected = parameters_from_architecture(smoke)
    assert [ptm.parameter_count(ptm.build_model(smoke)), tfm.parameter_count(tfm.build_model(smoke))] == [
        expected
    ] * 2


def test_flops_match_the_published_figure_in_both_frameworks(base_models):
    torch_model, keras_model = base_models
    shape = common.BERT_BASE_128
    torch_macs = ptm.flops_per_sample(torch_model, shape) / flops.macs_to_flops(1)
    keras_macs = tfm.flops_per_sample(keras_model, shape) / flops.macs_to_flops(1)
    assert torch_macs == pytest.approx(keras_macs, rel=0.01)  # in practice equal to the MAC
    assert torch_macs == macs_from_architecture(shape) == 11_174_217_216
    assert torch_macs == pytest.approx(flops.BERT_BASE_128_GMACS * 1e9, rel=0.03)


# --- weight porting and output equivalence ----------------------------------------------------------------


def test_torch_to_keras_same_outputs(reduced_models, reduced_batch, relative_difference):
    torch_model, keras_model = reduced_models
    reference = _outputs(ptm, torch_model, reduced_batch)
    assert np.ptp(reference, axis=0).max() > 0.1 * np.abs(reference).max()  # outputs depend on the input
    assert relative_difference(_outputs(tfm, keras_model, reduced_batch), reference) <= LOGIT_RTOL


def test_keras_to_torch_same_outputs(reduced_batch, relative_difference):
    keras_model = tfm.build_model(REDUCED, seed=2)
    tfm.load_weights(keras_model, randomize(tfm.export_weights(keras_model), seed=3))
    torch_model = ptm.build_model(REDUCED, seed=4)
    port.port(tfm, keras_model, ptm, torch_model)
    reference = _outputs(tfm, keras_model, reduced_batch)
    assert relative_difference(_outputs(ptm, torch_model, reduced_batch), reference) <= LOGIT_RTOL


def test_full_bert_base_same_outputs(base_models, relative_difference):
    torch_model, keras_model = base_models
    port.port(ptm, torch_model, tfm, keras_model)
    batch = common.make_batch(common.BERT_BASE_128, 2, seed=5)
    reference = _outputs(ptm, torch_model, batch)
    assert relative_difference(_outputs(tfm, keras_model, batch), reference) <= LOGIT_RTOL


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_padding_is_masked(module, reduced_models, reduced_batch, relative_difference):
    model = reduced_models[0] if module is ptm else reduced_models[1]
    inputs, labels = reduced_batch
    other_padding = {
        **inputs,
        "input_ids": np.where(inputs["attention_mask"] == 1, inputs["input_ids"], 1234),
    }
    reference = _outputs(module, model, reduced_batch)
    np.testing.assert_allclose(_outputs(module, model, (other_padding, labels)), reference, rtol=0, atol=1e-6)
    # The tolerance would catch a model that attended to the padding.
    unmasked = {**other_padding, "attention_mask": np.ones_like(inputs["attention_mask"])}
    assert relative_difference(_outputs(module, model, (unmasked, labels)), reference) > LOGIT_RTOL


def test_tolerance_catches_the_approximate_gelu(reduced_models, reduced_batch, relative_difference):
    torch_model, keras_model = reduced_models
    reference = _outputs(ptm, torch_model, reduced_batch)
    dense_layers = [layer.intermediate for layer in keras_model.layers if isinstance(layer, tfm.EncoderLayer)]
    try:
        for dense in dense_layers:
            dense.activation = keras.ops.gelu  # tanh approximation by default, unlike keras.activations.gelu
        assert relative_difference(_outputs(tfm, keras_model, reduced_batch), reference) > LOGIT_RTOL
    finally:
        for dense in dense_layers:
            dense.activation = tfm._exact_gelu


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_dropout_only_in_training(module, reduced_models, reduced_batch):
    model = reduced_models[0] if module is ptm else reduced_models[1]
    np.testing.assert_array_equal(
        _outputs(module, model, reduced_batch), _outputs(module, model, reduced_batch)
    )
    try:
        first = _outputs(module, model, reduced_batch, training=True)
        assert not np.array_equal(first, _outputs(module, model, reduced_batch, training=True))
    finally:
        if module is ptm:
            model.eval()  # the module-scoped model stays in inference mode for the other tests


def test_training_loss_is_the_same_function(reduced_models):
    _, labels = common.make_batch(REDUCED, 4, seed=0)
    logits = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    torch_loss = ptm.loss(torch.from_numpy(logits), torch.from_numpy(labels))
    keras_loss = tfm.loss(tf.constant(logits), tf.constant(labels))
    assert float(keras_loss) == pytest.approx(float(torch_loss), rel=1e-6)


# --- canonical weights ------------------------------------------------------------------------------------


def test_canonical_names_are_hugging_faces(reduced_models):
    from_torch, from_keras = (
        module.export_weights(model) for module, model in zip((ptm, tfm), reduced_models)
    )
    assert set(from_torch) == set(from_keras)
    hidden = REDUCED["hidden"]
    assert from_keras["bert.encoder.layer.1.attention.self.query.weight"].shape == (hidden, hidden)
    assert from_keras["bert.encoder.layer.0.intermediate.dense.weight"].shape == (
        REDUCED["intermediate"],
        hidden,
    )
    assert from_keras["bert.embeddings.token_type_embeddings.weight"].shape == (2, hidden)
    assert from_keras["classifier.weight"].shape == (2, hidden)
    for name, value in from_torch.items():
        np.testing.assert_array_equal(from_keras[name], value, err_msg=name)


def test_checkpoint_buffers_are_dropped(reduced_models):
    weights = ptm.export_weights(reduced_models[0])
    checkpoint = {**weights, "bert.embeddings.position_ids": np.arange(64)[None]}
    assert set(port.from_checkpoint_state_dict(checkpoint)) == set(weights)


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_load_weights_names_what_is_wrong(module):
    model = module.build_model(common.SHAPES["smoke"])
    good = module.export_weights(model)
    name = "bert.encoder.layer.1.attention.self.key.bias"
    with pytest.raises(KeyError, match=name.replace(".", r"\.")):
        module.load_weights(model, {k: v for k, v in good.items() if k != name})
    with pytest.raises(KeyError, match="unexpected.*bert.pooler.dense.extra"):
        module.load_weights(model, {**good, "bert.pooler.dense.extra": good["bert.pooler.dense.bias"]})
    with pytest.raises(ValueError, match=r"classifier\.weight: \(3, 64\)"):
        module.load_weights(model, {**good, "classifier.weight": np.zeros((3, 64), np.float32)})
