"""Weight porting between the PyTorch and Keras YOLOv8n models via the canonical NumPy state dict.

The canonical dict uses Ultralytics' YOLOv8 state-dict names and PyTorch layouts (conv OIHW, BN running stats
included, ``num_batches_tracked`` omitted), so a YOLOv8n checkpoint's state dict (minus ``model.22.dfl.conv.weight``,
the fixed DFL projection we apply as a constant) loads into either model. Each framework is imported only when a
function that needs it runs, so a process that uses one framework never imports the other; ``save``/``load`` move
weights between such processes through an ``.npz`` file.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.bench.workloads.porting import load, save  # noqa: F401

# A YOLOv8 checkpoint also carries the DFL's fixed arange(16) 1x1 conv; it is a constant here, not a weight.
IGNORED_CHECKPOINT_KEYS = ("model.22.dfl.conv.weight",)


def torch_to_tf(torch_model: Any, tf_model: Any) -> None:
    from generator.bench.workloads.detection import tensorflow as tfm
    from generator.bench.workloads.detection import torch as ptm

    tfm.load_weights(tf_model, ptm.export_weights(torch_model))


def tf_to_torch(tf_model: Any, torch_model: Any) -> None:
    from generator.bench.workloads.detection import tensorflow as tfm
    from generator.bench.workloads.detection import torch as ptm

    ptm.load_weights(torch_model, tfm.export_weights(tf_model))


def from_checkpoint_state_dict(state: dict[str, Any]) -> dict[str, np.ndarray]:
    """A canonical dict from an Ultralytics-style state dict (tensors or arrays), dropping non-weights."""
    out = {}
    for k, v in state.items():
        if k.endswith("num_batches_tracked") or k in IGNORED_CHECKPOINT_KEYS:
            continue
        out[k] = v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)
    return out
