"""Copying weights between the PyTorch and Keras models through the canonical NumPy state dict.

The canonical dict has PyTorch ``state_dict`` names and layouts (see ``workloads/base.py``); each framework
module converts its own layout in ``export_weights``/``load_weights``. So porting never needs both frameworks
in one process: export on one side, :func:`save`, then :func:`load` and load on the other (the equivalence
tests, which do hold both, call :func:`port` directly).

The helpers here are task-independent (the BERT port imports them too).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# PyTorch keeps a step counter in each batch norm; it does not change the outputs, so it is neither required
# nor reported as unexpected (torchvision checkpoints carry it, our exports leave it out).
IGNORED_SUFFIXES = (".num_batches_tracked",)


def check_complete(weights: Mapping[str, Any], expected: Mapping[str, tuple[int, ...]]) -> None:
    """Raise ``KeyError`` naming every missing or unexpected tensor, ``ValueError`` every misshaped one.

    Called before anything is assigned, so a failed load leaves the model as it was.
    """
    names = {name for name in weights if not name.endswith(IGNORED_SUFFIXES)}
    missing, unexpected = sorted(set(expected) - names), sorted(names - set(expected))
    if missing or unexpected:
        raise KeyError(
            f"canonical weights do not match the model: missing {missing or 'none'}, "
            f"unexpected {unexpected or 'none'}"
        )
    wrong = [
        f"{name}: {np.shape(weights[name])} != {tuple(shape)}"
        for name, shape in expected.items()
        if np.shape(weights[name]) != tuple(shape)
    ]
    if wrong:
        raise ValueError("misshaped canonical tensors: " + "; ".join(wrong))


def port(source: ModuleType, source_model: Any, target: ModuleType, target_model: Any) -> None:
    """Copy ``source_model``'s weights into ``target_model`` (modules: the framework modules of one task)."""
    target.load_weights(target_model, source.export_weights(source_model))


def save(weights: Mapping[str, np.ndarray], path: str | Path) -> None:
    np.savez(path, **weights)


def load(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path) as archive:
        return {name: archive[name] for name in archive.files}
