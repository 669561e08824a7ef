"""PyTorch → ONNX with the ``torch.export``-based exporter (``torch.onnx.export(..., dynamo=True)``), run by ONNX
Runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import runtimes
from generator.bench.deploy.paths import DeployPath
from generator.bench.deploy.torch_export import exported_program


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    import torch

    artifact = workdir / "model.onnx"
    program = exported_program(model, example)
    torch.onnx.export(program, f=str(artifact), dynamo=True, external_data=False, verbose=False)
    return runtimes.check_onnx(artifact)


PATH = DeployPath(
    id="torch-onnx", source="pytorch", format="ONNX", converter="torch.onnx.export (dynamo=True)",
    runtime="ONNX Runtime (CPU execution provider)", precision="fp32",
    packages=("torch", "onnxscript", "onnx", "onnxruntime"), install="pip install onnxscript onnxruntime",
    batching="dynamic", export=export, load=runtimes.onnx_load, run=runtimes.onnx_run,
)
