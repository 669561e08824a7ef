"""PyTorch on device: an ExecuTorch program (``.pte``) lowered to the XNNPACK delegate, run by the ExecuTorch
runtime's Python bindings (the same C++ runtime an app embeds), exported at batch 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy.paths import DeployPath
from generator.bench.deploy.torch_export import exported_program


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    program = exported_program(model, tuple(a[:1] for a in example), dynamic_batch=False)
    lowered = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()]).to_executorch()
    artifact = workdir / "model.pte"
    artifact.write_bytes(lowered.buffer)
    return artifact


def load(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    import torch
    from executorch.extension.pybindings import portable_lib
    from executorch.runtime import Runtime

    torch.set_num_threads(threads)
    portable_lib._unsafe_reset_threadpool(threads)  # XNNPACK's thread pool: the machine's cores by default
    return Runtime.get().load_program(artifact).load_method("forward")


def run(method: Any, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    import torch

    return [t.numpy() for t in method.execute([torch.from_numpy(a) for a in inputs])]


PATH = DeployPath(
    id="torch-executorch", source="pytorch", format="ExecuTorch program (.pte)",
    converter="executorch.exir.to_edge_transform_and_lower + XnnpackPartitioner",
    runtime="ExecuTorch runtime (Python bindings, XNNPACK delegate)", precision="fp32",
    packages=("torch", "executorch"), install="pip install executorch", batching="static",
    export=export, load=load, run=run,
)
