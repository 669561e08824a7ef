"""Task-independent weight porting through the canonical NumPy state dict (see ``workloads/base.py``).

Every task's ``port.py`` and framework modules use these, so the rules are the same everywhere: a load checks
every name and shape before assigning anything (a failed load leaves the model as it was), and porting never
needs both frameworks in one process: export on one side, :func:`save`, then :func:`load` on the other (the
equivalence tests, which do hold both, call :func:`port` directly).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# PyTorch keeps a step counter in each batch norm; it does not change the outputs, so it is neither required
# nor reported as unexpected (checkpoints carry it, our exports leave it out).
IGNORED_SUFFIXES = (".num_batches_tracked",)


def check_complete(weights: Mapping[str, Any], expected: Mapping[str, tuple[int, ...]]) -> None:
    """Raise ``KeyError`` naming every missing or unexpected tensor, ``ValueError`` every misshaped one."""
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
    """Write an ``.npz`` atomically, so a reader in another process never sees half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **weights)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def load(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path) as archive:
        return {name: archive[name] for name in archive.files}


def tf_device(device: str) -> str:
    """TensorFlow's name for the harness's device ("cpu" or "cuda")."""
    return "/GPU:0" if device.startswith(("cuda", "gpu")) else "/CPU:0"
