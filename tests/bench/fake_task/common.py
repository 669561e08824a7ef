"""Framework-free half of the fake task: shapes, data, and the faults the harness tests inject."""

from __future__ import annotations

import os
import signal
import time

import numpy as np

TASK = "image-classification"  # stands in for a real id: results must validate against the schema
PHASES = ("train", "inference")
_SHAPE = {"features": 16, "hidden": 32, "num_classes": 4}
SHAPES = {"smoke": _SHAPE, "standard": _SHAPE, "full": _SHAPE}


def make_batch(shape: dict[str, int], batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((batch_size, shape["features"]), dtype=np.float32)
    targets = rng.integers(0, shape["num_classes"], size=batch_size, dtype=np.int64)
    return inputs, targets


def misbehave(batch_size: int) -> None:
    """Called by both framework modules when the batch reaches them."""
    time.sleep(float(os.environ.get("ATLAS_FAKE_SLEEP_S", "0")))
    faults = dict(item.split("=") for item in filter(None, os.environ.get("ATLAS_FAKE_FAULTS", "").split(",")))
    fault = faults.get(str(batch_size))
    if fault == "crash":
        os.abort()
    elif fault == "hang":
        time.sleep(3600)
    elif fault == "oom":
        raise MemoryError("fake task: cannot allocate the activations")
    elif fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "error":
        raise ValueError("fake task: a bug in the model code")


def flops_per_sample(shape: dict[str, int]) -> float:
    return 2.0 * (shape["features"] * shape["hidden"] + shape["hidden"] * shape["num_classes"])
