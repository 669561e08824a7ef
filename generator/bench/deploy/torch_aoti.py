"""PyTorch ahead of time: AOTInductor compiles the ExportedProgram to a shared library in a ``.pt2`` package,
loaded by ``torch._inductor.aoti_load_package`` (or its C++ loader, without Python)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy.paths import DeployPath
from generator.bench.deploy.torch_export import configure_threads, exported_program
from generator.bench.deploy.torch_export import run as run_module


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    import torch

    artifact = (workdir / "model_aoti.pt2").resolve()
    torch._inductor.aoti_compile_and_package(exported_program(model, example), package_path=str(artifact))
    return artifact


def load(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    import torch

    configure_threads(threads, inter_op_threads)
    return torch._inductor.aoti_load_package(str(artifact))


PATH = DeployPath(
    id="torch-aoti", source="pytorch", format="AOTInductor package (.pt2)",
    converter="torch._inductor.aoti_compile_and_package", runtime="AOTInductor loader (aoti_load_package)",
    precision="fp32", packages=("torch",), install="(the pinned torch; a C++ compiler at export time)",
    batching="dynamic", export=export, load=load, run=run_module,
    notes="Inductor's C++ code generated for this CPU at export time, batch dimension dynamic.",
)
