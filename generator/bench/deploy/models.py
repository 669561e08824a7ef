"""A task's source model for deployment: the shared weights, the fixed inputs, reference outputs, serving functions.

Both frameworks start from one set of weights (``weights.npz``, canonical PyTorch names and layouts, written once
per task by a PyTorch worker), so a TensorFlow path and a PyTorch path deploy the very same model. Inputs are the
task's ``make_batch`` at the data seed, in each framework's layout (NHWC for Keras convnets). Outputs are brought to
one canonical form before they are compared: NCHW, and several outputs ordered largest first (the detector's P3,
P4, P5), because converters do not keep output order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench import methodology, registry
from generator.bench.workloads import porting

TASK_KINDS = {"image-classification": "classifier", "sentiment-analysis": "classifier", "object-detection": "detector"}
_NHWC_TASKS = ("image-classification", "object-detection")  # Keras convnets take NHWC images


def kind(task: str) -> str:
    return TASK_KINDS.get(task, "classifier")


def fixed_inputs(task: str, shape: dict[str, int], samples: int) -> tuple[np.ndarray, ...]:
    """The fixed batch in canonical layout (NCHW images; token ids and attention mask), framework-free."""
    inputs, _ = registry.load_common(task).make_batch(shape, samples, methodology.DATA_SEED)
    if isinstance(inputs, dict):
        return tuple(np.ascontiguousarray(inputs[name]) for name in ("input_ids", "attention_mask"))
    return (np.ascontiguousarray(inputs),)


def to_source_layout(task: str, framework: str, inputs: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    if framework == "tensorflow" and task in _NHWC_TASKS:
        return tuple(np.ascontiguousarray(a.transpose(0, 2, 3, 1)) if a.ndim == 4 else a for a in inputs)
    return inputs


def canonical_outputs(task: str, framework: str, outputs: list[np.ndarray]) -> list[np.ndarray]:
    arrays = [np.asarray(o, dtype=np.float32) for o in outputs]
    if framework == "tensorflow" and task in _NHWC_TASKS:
        arrays = [a.transpose(0, 3, 1, 2) if a.ndim == 4 else a for a in arrays]
    return sorted(arrays, key=lambda a: -a.size) if len(arrays) > 1 else arrays


def weights_recipe(task: str) -> str:
    """What the shared weights are, in words (recorded in every cell's configuration)."""
    parts = [f"PyTorch initialisation, seed {methodology.MODEL_SEED}"]
    if task in methodology.DEPLOY_RECALIBRATE_BATCH_NORM:
        parts.append("batch-norm statistics from the fixed batch")
    if task == "object-detection" and methodology.DEPLOY_DETECTOR_ZERO_CLASS_BIAS:
        parts.append("class-logit biases 0")
    return "; ".join(parts)


def shared_weights(task: str, shape: dict[str, int], samples: int) -> dict[str, np.ndarray]:
    """The PyTorch model at the model seed, as canonical NumPy weights (run in a PyTorch worker)."""
    module = registry.load_framework_module(task, "pytorch")
    model = module.build_model(shape, seed=methodology.MODEL_SEED)
    if task in methodology.DEPLOY_RECALIBRATE_BATCH_NORM:
        recalibrate_batch_norm(model, fixed_inputs(task, shape, samples))
    weights = module.export_weights(model)
    if task == "object-detection" and methodology.DEPLOY_DETECTOR_ZERO_CLASS_BIAS:
        for name in [n for n in weights if n.startswith("model.22.cv3.") and n.endswith(".2.bias")]:
            weights[name] = np.zeros_like(weights[name])
    return weights


def recalibrate_batch_norm(model: Any, inputs: tuple[np.ndarray, ...]) -> None:
    """Batch-norm running statistics from the fixed batch (one pass in training mode, cumulative average), as
    training would have left them: each layer's activations then have unit scale in inference mode, instead of
    shrinking layer by layer towards the biases, so the outputs vary with the input and the check can see it."""
    import torch

    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative: after one batch, exactly that batch's statistics
    model.train()
    with torch.no_grad():
        model(*(torch.from_numpy(a) for a in inputs))
    model.eval()


def source_model(task: str, framework: str, shape: dict[str, int], weights_path: Path) -> Any:
    """The source model with the shared weights, in inference mode (dropout off, batch norm frozen)."""
    module = registry.load_framework_module(task, framework)
    model = module.build_model(shape, seed=methodology.MODEL_SEED)
    module.load_weights(model, porting.load(weights_path))
    if framework == "pytorch":
        model.eval()
        for parameter in model.parameters():
            parameter.requires_grad_(False)
    return model


def reference_outputs(task: str, framework: str, model: Any, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """The source model's own eager outputs on the fixed batch: what every path of this source must reproduce."""
    if framework == "pytorch":
        import torch

        with torch.no_grad():
            outputs = model(*(torch.from_numpy(a) for a in inputs))
        return [t.numpy() for t in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
    outputs = tf_serving_function(task, model)(*inputs)
    return [t.numpy() for t in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def tf_serving_function(task: str, model: Any) -> Any:
    """The Keras model as a function of positional tensors in inference mode (what SavedModel, LiteRT and tf2onnx
    export): BERT's dict input becomes (input_ids, attention_mask)."""
    if task == "sentiment-analysis":
        return lambda input_ids, attention_mask: model(
            {"input_ids": input_ids, "attention_mask": attention_mask}, training=False)
    return lambda images: model(images, training=False)


def tf_input_signature(task: str, example: tuple[np.ndarray, ...]) -> list[Any]:
    """Dynamic batch, every other dimension fixed at the example's (a fixed shape lets converters fold more)."""
    import tensorflow as tf

    names = ("input_ids", "attention_mask") if task == "sentiment-analysis" else ("images",)
    return [tf.TensorSpec((None, *a.shape[1:]), tf.as_dtype(a.dtype), name=name)
            for name, a in zip(names, example, strict=True)]


def torch_dynamic_batch(example: tuple[np.ndarray, ...]) -> tuple[dict[int, Any], ...]:
    import torch

    batch = torch.export.Dim("batch", min=1, max=64)
    return tuple({0: batch} for _ in example)
