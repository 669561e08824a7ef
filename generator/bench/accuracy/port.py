"""Weight porting between the two frameworks through the canonical NumPy state dict.

The canonical form is the one of :mod:`generator.bench.workloads.base`: PyTorch ``state_dict`` names and layouts
(conv weight OIHW, linear weight [out, in], batch-norm running statistics included, ``num_batches_tracked``
left out). Each framework module converts to and from it in ``export_weights``/``load_weights``; this module holds
the framework-free half: the layout conversions, the ``.npz`` file both worker processes read (never both
frameworks in one process), and a digest that proves two runs started from the same weights.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

# Canonical batch-norm tensor name -> Keras BatchNormalization variable name.
BN_TO_KERAS = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
KERAS_TO_BN = {value: key for key, value in BN_TO_KERAS.items()}


def conv_to_keras(weight: np.ndarray) -> np.ndarray:
    """OIHW (PyTorch) -> HWIO (Keras)."""
    return np.ascontiguousarray(weight.transpose(2, 3, 1, 0))


def conv_from_keras(kernel: np.ndarray) -> np.ndarray:
    """HWIO (Keras) -> OIHW (PyTorch)."""
    return np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))


def linear_to_keras(weight: np.ndarray) -> np.ndarray:
    """[out, in] (PyTorch) -> [in, out] (Keras Dense kernel)."""
    return np.ascontiguousarray(weight.T)


def linear_from_keras(kernel: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(kernel.T)


def check_complete(weights: dict[str, np.ndarray], expected: dict[str, tuple[int, ...]]) -> None:
    """Raise ``KeyError``/``ValueError`` naming every missing, unexpected or misshaped tensor."""
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    if missing or unexpected:
        raise KeyError(f"state dict mismatch: missing {missing or 'none'}, unexpected {unexpected or 'none'}")
    wrong = [f"{n}: {tuple(weights[n].shape)} != {shape}" for n, shape in expected.items() if weights[n].shape != shape]
    if wrong:
        raise ValueError("misshaped tensors: " + "; ".join(wrong))


def save_weights(path: Path, weights: dict[str, np.ndarray]) -> None:
    """Write a canonical state dict atomically (so a worker never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **{name: np.asarray(value, dtype=np.float32) for name, value in weights.items()})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_weights(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {name: data[name].astype(np.float32) for name in data.files}


def weights_digest(weights: dict[str, np.ndarray]) -> str:
    """SHA-256 over names and float32 bytes in name order: equal digests, equal starting weights."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(weights[name], dtype=np.float32).tobytes())
    return digest.hexdigest()
