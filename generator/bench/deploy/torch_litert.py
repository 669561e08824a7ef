"""PyTorch → LiteRT with ``litert-torch`` (Google's converter, formerly ai-edge-torch), run by the LiteRT
interpreter, exported at batch 1 as its mobile examples are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import runtimes
from generator.bench.deploy.paths import DeployPath


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    import litert_torch
    import torch

    artifact = workdir / "model.tflite"
    litert_torch.convert(model, tuple(torch.from_numpy(a[:1]) for a in example)).export(str(artifact))
    return artifact


PATH = DeployPath(
    id="torch-litert", source="pytorch", format="LiteRT flatbuffer", converter="litert_torch.convert",
    runtime="LiteRT interpreter (ai-edge-litert, XNNPACK)", precision="fp32",
    packages=("torch", "litert-torch", "litert-converter", "ai-edge-litert"), install="pip install litert-torch",
    batching="static", export=export, load=runtimes.litert_load, run=runtimes.litert_run,
)
