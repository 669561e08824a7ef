"""Weight porting and operator equality of the two digits ResNets, in one process (tests only; the suite never
imports both frameworks together).

Tolerances (float32 on CPU, oneDNN in both): logits from the same weights agree to 1e-5 absolute (measured
~1e-6). After one identical training step at learning rate 1e-3 every tensor, batch-norm running statistics
included, agrees to 1e-6 absolute (measured ~1e-7): that covers the momentum/epsilon conversion, PyTorch's unbiased
running-variance update in the Keras layer, symmetric padding of the strided convolution, the per-step learning
rate and Adam's epsilon placement. (With Keras's own Adam the weights differ by up to ~4e-4, 40% of a step, where
gradients are tiny: that is why TorchStyleAdam exists.)
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow  # noqa: F401 - the bench extra is required: a missing framework fails loudly
import torch  # noqa: F401 - the bench extra is required: a missing framework fails loudly

from generator.bench.accuracy import tensorflow as tfm
from generator.bench.accuracy import torch as ptm
from generator.bench.accuracy.data import epoch_batches, load_digits_split
from generator.bench.accuracy.spec import TrainConfig, initial_weights, parameter_shapes

pytestmark = pytest.mark.bench
CFG = TrainConfig()


@pytest.fixture(scope="module")
def weights():
    return initial_weights(CFG, 0)


def test_torch_state_dict_is_the_canonical_layout(weights):
    model = ptm.build_model(CFG)
    names = {k: tuple(v.shape) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    assert names == parameter_shapes(CFG)


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_load_then_export_is_exact(module, weights):
    model = module.build_model(CFG)
    module.load_weights(model, weights, CFG)
    exported = module.export_weights(model) if module is ptm else module.export_weights(model, CFG)
    assert set(exported) == set(weights)
    for name, value in weights.items():
        np.testing.assert_array_equal(exported[name], value, err_msg=name)


@pytest.mark.parametrize("module", [ptm, tfm], ids=["pytorch", "tensorflow"])
def test_load_refuses_incomplete_weights(module, weights):
    model = module.build_model(CFG)
    with pytest.raises(KeyError, match="layer2.0.downsample.0.weight"):
        module.load_weights(model, {k: v for k, v in weights.items() if "downsample.0" not in k}, CFG)


def test_same_weights_same_logits(weights):
    split = load_digits_split()
    torch_trainer = ptm.make_trainer(CFG, weights)
    keras_trainer = tfm.make_trainer(CFG, weights)
    np.testing.assert_allclose(keras_trainer.predict(split.x_test), torch_trainer.predict(split.x_test), atol=1e-5)


def test_one_training_step_changes_both_models_identically(weights):
    split = load_digits_split()
    images, labels = next(epoch_batches(split, CFG, seed=0, epoch=1))
    torch_trainer = ptm.make_trainer(CFG, weights)
    keras_trainer = tfm.make_trainer(CFG, weights)
    loss_pt = torch_trainer.train_step(images, labels, 1e-3)
    loss_tf = keras_trainer.train_step(images, labels, 1e-3)
    assert loss_tf == pytest.approx(loss_pt, abs=1e-5)
    after_pt = ptm.export_weights(torch_trainer.model)
    after_tf = tfm.export_weights(keras_trainer.model, CFG)
    moved = 0
    for name in weights:
        np.testing.assert_allclose(after_tf[name], after_pt[name], rtol=0, atol=1e-6, err_msg=name)
        moved += not np.array_equal(after_pt[name], weights[name])
    assert moved == len(weights)  # every tensor changed, running statistics included
    # Keras's own running-variance update (biased) would differ from PyTorch's by the factor n/(n-1):
    var_pt = after_pt["layer2.0.bn1.running_var"]
    assert np.abs(after_tf["layer2.0.bn1.running_var"] - var_pt).max() < 1e-6 < np.abs(var_pt).max() * 1e-4
