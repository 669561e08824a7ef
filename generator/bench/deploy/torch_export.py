"""PyTorch's portable graph: a ``torch.export`` ExportedProgram (``.pt2``), run by PyTorch itself.

``torch.export`` is what replaced TorchScript as PyTorch's export format, and the input of its other paths
(AOTInductor, the ONNX exporter, ExecuTorch, litert-torch), so this row is their common starting point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import models
from generator.bench.deploy.paths import DeployPath


def exported_program(model: Any, example: tuple[np.ndarray, ...], dynamic_batch: bool = True) -> Any:
    """The model traced at the fixed batch, the batch dimension dynamic (traced at 8, not 1: PyTorch specialises
    a dimension of size 1)."""
    import torch

    args = tuple(torch.from_numpy(a) for a in example)
    shapes = models.torch_dynamic_batch(example) if dynamic_batch else None
    return torch.export.export(model, args, dynamic_shapes=shapes)


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    import torch

    artifact = workdir / "model.pt2"
    torch.export.save(exported_program(model, example), str(artifact))
    return artifact


def configure_threads(threads: int, inter_op_threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(inter_op_threads)


def load(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    import torch

    configure_threads(threads, inter_op_threads)
    return torch.export.load(str(artifact)).module()


def run(module: Any, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    import torch

    with torch.inference_mode():
        outputs = module(*(torch.from_numpy(a) for a in inputs))
    return [t.numpy() for t in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


PATH = DeployPath(
    id="torch-export", source="pytorch", format="ExportedProgram (.pt2)", converter="torch.export.export",
    runtime="PyTorch (torch.export.load, eager kernels)", precision="fp32", packages=("torch",),
    install="(the pinned torch)", batching="dynamic", export=export, load=load, run=run,
)
