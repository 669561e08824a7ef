"""ResNet-50 v1.5: the PyTorch and Keras models are the same network (parameters, outputs, FLOPs).

Equivalence is checked in inference mode at 64×64, which runs every layer of the full-depth network in a
fraction of the 224×224 cost, and in training mode (batch norm on the batch's statistics) on the small smoke
network. FLOPs are counted at 224×224, where the published figure applies.

Tolerance: max |Keras - PyTorch| <= 5e-4 × max |logits| (float32, CPU). Why: with batch norms whose statistics
fit real activations (as after training), float32 round-off alone moves this random ResNet-50's logits by 3e-5
to 5e-5 of their scale away from a float64 run of the same weights, in either framework, and the two
frameworks, rounding differently (other convolution kernels, other summation orders), differ by 3e-5 to 4e-5
(measured). 5e-4 is a >10× margin, while the mistakes the port guards against are about a thousand times
larger: Keras' default batch-norm epsilon moves the logits by ~0.4 of their scale (tested below).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch

from generator.bench.workloads import flops
from generator.bench.workloads.base import TASK_PACKAGES
from generator.bench.workloads.resnet50 import common, port
from generator.bench.workloads.resnet50 import tensorflow as tfm
from generator.bench.workloads.resnet50 import torch as ptm

pytestmark = pytest.mark.bench

RESNET50_PARAMETERS = 25_557_032  # torchvision's resnet50 (v1.5), 1000-class head
TEST_SHAPE = {**common.RESNET50_224, "image_size": 64}
LOGIT_RTOL = 5e-4


def parameters_from_architecture(shape: dict[str, int]) -> int:
    """Counted from the architecture's description, independently of both models."""
    width, classes = shape["width"], shape["num_classes"]
    total = 3 * width * 7 * 7 + 2 * width  # stem convolution + its batch norm (scale, shift)
    channels = width
    for stage, blocks in enumerate(common.BLOCKS_BY_DEPTH[shape["depth"]]):
        inner = width * 2**stage
        for block in range(blocks):
            total += channels * inner + 9 * inner * inner + inner * 4 * inner  # 1×1, 3×3, 1×1 convolutions
            total += 2 * (inner + inner + 4 * inner)  # their batch norms
            if block == 0:  # projection shortcut: 1×1 convolution + batch norm
                total += channels * 4 * inner + 2 * 4 * inner
            channels = 4 * inner
    return total + channels * classes + classes  # fully connected head


def _numpy(outputs) -> np.ndarray:
    return outputs.detach().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)


def _outputs(module, model, batch, training: bool = False) -> np.ndarray:
    inputs, _ = module.to_framework_batch(batch, "cpu")
    return _numpy(module.forward(model, inputs, training))


def _meaningful_batch_norms(model: torch.nn.Module, shape: dict[str, int]) -> None:
    """Random batch-norm scales and shifts; running statistics measured on images, as after training.

    A fresh model (scale 1, shift 0, mean 0, variance 1) would leave the statistics' mapping untested, and
    random statistics let activations grow or vanish over 50 layers; this keeps them of order 1 with every
    batch-norm tensor distinct.
    """
    images, _ = common.make_batch(shape, 8, seed=9)  # not the test batch: statistics come from other data
    generator = torch.Generator().manual_seed(1)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for norm in norms:
            norm.weight.copy_(1 + 0.2 * torch.randn(norm.weight.shape, generator=generator))
            norm.bias.copy_(0.2 * torch.randn(norm.bias.shape, generator=generator))
            norm.momentum = 1.0  # running statistics := this batch's
        model.train()(torch.from_numpy(images))
        for norm in norms:
            norm.momentum = common.BN_MOMENTUM_TORCH
    model.eval()


@pytest.fixture(scope="module")
def batch():
    return common.make_batch(TEST_SHAPE, 4, seed=0)


@pytest.fixture(scope="module")
def torch_model():
    model = ptm.build_model(TEST_SHAPE, seed=0)
    _meaningful_batch_norms(model, TEST_SHAPE)
    return model


@pytest.fixture(scope="module")
def keras_model(torch_model):
    model = tfm.build_model(TEST_SHAPE, seed=0)
    port.port(ptm, torch_model, tfm, model)
    return model


# --- the task contract ------------------------------------------------------------------------------------


def test_task_is_registered_with_every_suite():
    assert TASK_PACKAGES[common.TASK] == "generator.bench.workloads.resnet50"
    assert set(common.SHAPES) == {"smoke", "standard", "full"}
    assert common.SHAPES["standard"] == {"image_size": 224, "num_classes": 1000, "depth": 50, "width": 64}
    assert set(common.PHASES) == {"train", "inference"}


def test_make_batch_is_deterministic_nchw_float32():
    images, labels = common.make_batch(common.SHAPES["smoke"], 3, seed=7)
    again, _ = common.make_batch(common.SHAPES["smoke"], 3, seed=7)
    assert images.shape == (3, 3, 32, 32) and images.dtype == np.float32
    assert labels.shape == (3,) and labels.dtype == np.int64 and labels.max() < 10
    np.testing.assert_array_equal(images, again)


def test_keras_batch_is_nhwc():
    images, labels = tfm.to_framework_batch(common.make_batch(common.SHAPES["smoke"], 2, seed=0), "cpu")
    assert tuple(images.shape) == (2, 32, 32, 3) and tuple(labels.shape) == (2,)


# --- parameters -------------------------------------------------------------------------------------------


def test_parameter_count_is_resnet50s(torch_model, keras_model):
    assert parameters_from_architecture(common.RESNET50_224) == RESNET50_PARAMETERS
    assert ptm.parameter_count(torch_model) == RESNET50_PARAMETERS
    assert tfm.parameter_count(keras_model) == RESNET50_PARAMETERS


def test_smoke_network_counts_agree():
    shape = common.SHAPES["smoke"]
    expected = parameters_from_architecture(shape)
    assert ptm.parameter_count(ptm.build_model(shape)) == expected
    assert tfm.parameter_count(tfm.build_model(shape)) == expected


# --- FLOPs ------------------------------------------------------------------------------------------------


def test_flops_match_the_published_figure_in_both_frameworks(torch_model, keras_model):
    shape = common.RESNET50_224  # the counters trace a fresh 224×224 forward; the models take any size
    state = {name: tensor.clone() for name, tensor in torch_model.state_dict().items()}
    torch_macs = ptm.flops_per_sample(torch_model, shape) / flops.macs_to_flops(1)
    keras_macs = tfm.flops_per_sample(keras_model, shape) / flops.macs_to_flops(1)
    assert torch_macs == pytest.approx(keras_macs, rel=0.01)  # in practice equal to the MAC: 4,089,184,256
    assert torch_macs == pytest.approx(flops.RESNET50_224_GMACS * 1e9, rel=0.03)
    # Counting ran an inference-mode forward: batch-norm statistics and the train/eval flag are untouched.
    assert not torch_model.training
    assert all(torch.equal(state[name], tensor) for name, tensor in torch_model.state_dict().items())


# --- weight porting and output equivalence ----------------------------------------------------------------


def test_torch_to_keras_same_outputs(torch_model, keras_model, batch, relative_difference):
    reference = _outputs(ptm, torch_model, batch)
    assert np.abs(reference).max() > 1  # meaningful logits, not a near-constant output
    assert relative_difference(_outputs(tfm, keras_model, batch), reference) <= LOGIT_RTOL


def test_keras_to_torch_same_outputs(relative_difference):
    shape = common.SHAPES["smoke"]  # the same layer types and names as ResNet-50, at a fraction of the cost
    keras_model = tfm.build_model(shape, seed=3)  # Keras' own initialisation this time
    torch_model = ptm.build_model(shape, seed=5)
    port.port(tfm, keras_model, ptm, torch_model)
    smoke_batch = common.make_batch(shape, 4, seed=1)
    reference = _outputs(tfm, keras_model, smoke_batch)
    assert relative_difference(_outputs(ptm, torch_model, smoke_batch), reference) <= LOGIT_RTOL


def test_training_mode_uses_batch_statistics_equally(relative_difference):
    shape = common.SHAPES["smoke"]
    torch_model = ptm.build_model(shape, seed=0)
    keras_model = tfm.build_model(shape, seed=1)
    port.port(ptm, torch_model, tfm, keras_model)
    smoke_batch = common.make_batch(shape, 4, seed=2)
    torch_logits = _outputs(ptm, torch_model, smoke_batch, training=True)
    keras_logits = _outputs(tfm, keras_model, smoke_batch, training=True)
    assert relative_difference(keras_logits, torch_logits) <= LOGIT_RTOL
    _, labels = smoke_batch
    torch_loss = ptm.loss(torch.from_numpy(torch_logits), torch.from_numpy(labels))
    keras_loss = tfm.loss(tf.constant(keras_logits), tf.constant(labels))
    assert float(keras_loss) == pytest.approx(float(torch_loss), rel=1e-5)


def test_tolerance_catches_keras_default_batch_norm_epsilon(
    torch_model, keras_model, batch, relative_difference
):
    reference = _outputs(ptm, torch_model, batch)
    norms = [layer for layer in keras_model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    try:
        for norm in norms:
            norm.epsilon = 1e-3  # Keras' default, which the model overrides with PyTorch's 1e-5
        assert relative_difference(_outputs(tfm, keras_model, batch), reference) > LOGIT_RTOL
    finally:
        for norm in norms:
            norm.epsilon = common.BN_EPSILON


def test_export_then_load_is_the_identity(torch_model, keras_model):
    from_torch, from_keras = ptm.export_weights(torch_model), tfm.export_weights(keras_model)
    assert set(from_torch) == set(from_keras)
    assert from_keras["layer2.0.conv2.weight"].shape == (128, 128, 3, 3)  # OIHW; the stride-2 3×3 (v1.5)
    assert from_keras["layer2.0.downsample.0.weight"].shape == (512, 256, 1, 1)
    assert from_keras["fc.weight"].shape == (1000, 2048)
    for name, value in from_torch.items():
        np.testing.assert_array_equal(from_keras[name], value, err_msg=name)


def test_weights_round_trip_through_a_file(torch_model, tmp_path):
    weights = ptm.export_weights(torch_model)
    port.save(weights, tmp_path / "resnet50.npz")
    loaded = port.load(tmp_path / "resnet50.npz")
    assert set(loaded) == set(weights)
    assert all(np.array_equal(loaded[name], weights[name]) for name in weights)


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_load_weights_names_what_is_wrong(module):
    model = module.build_model(common.SHAPES["smoke"])
    good = module.export_weights(model)

    missing = {k: v for k, v in good.items() if k != "layer1.0.bn2.running_var"}
    with pytest.raises(KeyError, match=r"layer1\.0\.bn2\.running_var"):
        module.load_weights(model, missing)
    with pytest.raises(KeyError, match="unexpected.*fc2.weight"):
        module.load_weights(model, {**good, "fc2.weight": good["fc.weight"]})
    with pytest.raises(ValueError, match=r"conv1\.weight: \(16, 3, 7, 8\)"):
        module.load_weights(model, {**good, "conv1.weight": np.zeros((16, 3, 7, 8), np.float32)})
    # A PyTorch checkpoint's batch-norm step counters are accepted and ignored.
    module.load_weights(model, {**good, "bn1.num_batches_tracked": np.array(3)})
