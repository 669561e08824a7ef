"""The contract between a benchmark task and the harness.

A task lives in ``generator/bench/workloads/<task_package>/`` with:

- ``common.py`` (no framework import): the task's ``TASK`` id, its ``SHAPES`` per suite, its ``PHASES``
  (detection is inference-only), and ``make_batch(shape, batch_size, seed) -> (inputs, targets)`` returning NumPy
  arrays, so both frameworks see byte-identical data. Inputs are NCHW float32 images or int32 token ids
  (+ attention mask); each framework module converts the layout it needs.
- ``torch.py`` and ``tensorflow.py``: each a module implementing :class:`FrameworkModule` below. Nothing else in
  them: device placement, precision, compilation, channels-last, threads, timing and memory are the harness's
  job (``generator/bench/frameworks/``), the same for every task.
- ``port.py``: copies weights between the two (via the canonical NumPy state dict), used by the equivalence
  tests and the accuracy experiments.

Canonical weights: ``export_weights`` returns ``{name: ndarray}`` with PyTorch ``state_dict`` names and layouts
(conv weight OIHW, linear weight [out, in], batch-norm running_mean/running_var included). Each framework module
converts to and from its own layout in ``load_weights``/``export_weights``, so porting is
``tf_module.load_weights(tf_model, torch_module.export_weights(torch_model))`` and vice versa.

Operators that differ by design are made equal in the model code, with a comment saying why:
batch-norm momentum (PyTorch 0.1 == Keras 0.9) and epsilon (PyTorch 1e-5, Keras default 1e-3), padding of strided
convolutions (PyTorch pads symmetrically; Keras 'same' pads bottom/right only, so use explicit ZeroPadding2D),
GELU (exact erf form in both), LayerNorm epsilon (1e-12 for BERT), initialisers (irrelevant to speed, but ported
weights make outputs equal).

Mixed precision: the harness sets the Keras global policy (``mixed_bfloat16``/``mixed_float16``) *before*
``build_model``; model code must keep its final logits in float32 (``dtype="float32"`` on the last layer, as the
Keras mixed-precision guide says). For PyTorch the harness wraps steps in ``torch.autocast``.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

Shape = dict[str, int]
Batch = tuple[Any, Any]


class FrameworkModule(Protocol):
    """What each ``workloads/<task>/{torch,tensorflow}.py`` module provides (module-level functions)."""

    FRAMEWORK: str  # "pytorch" or "tensorflow"

    def build_model(self, shape: Shape, seed: int = 0) -> Any:
        """A freshly initialised model (``torch.nn.Module`` in train mode / ``keras.Model``), fp32 weights."""

    def to_framework_batch(self, batch: tuple[np.ndarray, np.ndarray], device: str) -> Batch:
        """Convert ``common.make_batch``'s NumPy arrays to framework tensors (NHWC for Keras convnets)."""

    def forward(self, model: Any, inputs: Any, training: bool) -> Any:
        """Model outputs (logits / raw head outputs) for ``inputs``."""

    def loss(self, outputs: Any, targets: Any) -> Any:
        """Scalar training loss (mean over the batch), computed in float32."""

    def postprocess(self, outputs: Any) -> Any:
        """Inference post-processing timed as part of inference (box decoding + NMS for detection; identity
        for classifiers)."""

    def flops_per_sample(self, model: Any, shape: Shape) -> float:
        """Forward FLOPs for one sample, counted from this framework's own model (1 MAC = 2 FLOPs)."""

    def parameter_count(self, model: Any) -> int:
        """Trainable + non-trainable parameters, excluding batch-norm running statistics."""

    def export_weights(self, model: Any) -> dict[str, np.ndarray]:
        """Canonical (PyTorch-named, PyTorch-layout) NumPy state dict."""

    def load_weights(self, model: Any, weights: dict[str, np.ndarray]) -> None:
        """Load a canonical state dict; raise ``KeyError``/``ValueError`` naming any missing or misshaped tensor."""


# Task id -> importable package holding common.py, torch.py, tensorflow.py, port.py.
TASK_PACKAGES: dict[str, str] = {
    "image-classification": "generator.bench.workloads.resnet50",
    "sentiment-analysis": "generator.bench.workloads.bert",
    "object-detection": "generator.bench.workloads.detection",
}

FRAMEWORK_MODULES: dict[str, str] = {"pytorch": "torch", "tensorflow": "tensorflow"}
