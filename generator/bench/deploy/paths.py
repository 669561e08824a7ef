"""The export paths, as data: what each one is, which packages it needs, and the three functions it offers.

A path module defines one or more :class:`DeployPath` objects; :data:`PATHS` names them. Every path offers the
same small interface, so the worker times all of them the same way:

- ``export(model, example, task, workdir) -> Path``: the source model (eval mode, shared weights) written as the
  path's artifact, traced or converted at ``example`` (a tuple of NumPy arrays in the source framework's layout);
- ``load(artifact, threads, inter_op_threads) -> runner``: the artifact in its runtime, ready to call;
- ``run(runner, inputs) -> list[np.ndarray]``: one call on a tuple of NumPy inputs, outputs copied to the host.

``ATLAS_DEPLOY_PATHS="id=package.module:NAME,..."`` adds or replaces paths (the tests' failing paths use it);
workers inherit it from the runner's environment.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OVERRIDE_ENV = "ATLAS_DEPLOY_PATHS"


@dataclass(frozen=True)
class DeployPath:
    id: str
    source: str  # framework id of the source model
    format: str
    converter: str
    runtime: str
    precision: str  # fp32 | int8-dynamic
    packages: tuple[str, ...]  # distributions whose versions the result records (source, converter, runtime)
    install: str  # the pip command that installs what the path needs beyond the pinned frameworks
    batching: str  # "dynamic": one artifact serves any batch; "static": exported for batch 1
    export: Callable[[Any, tuple, str, Path], Path]
    load: Callable[[Path, int, int], Any]
    run: Callable[[Any, tuple], list]
    notes: str = ""  # what the page should say about the path (its settings, its documented limits)


# In the order the site lists them: each framework's own formats first, then the cross-framework ones.
PATHS: dict[str, str] = {
    "tf-savedmodel": "generator.bench.deploy.tf_savedmodel:PATH",
    "tf-litert-fp32": "generator.bench.deploy.tf_litert:FP32",
    "tf-litert-int8": "generator.bench.deploy.tf_litert:INT8",
    "tf-onnx": "generator.bench.deploy.tf_onnx:PATH",
    "torch-export": "generator.bench.deploy.torch_export:PATH",
    "torch-aoti": "generator.bench.deploy.torch_aoti:PATH",
    "torch-onnx": "generator.bench.deploy.torch_onnx:PATH",
    "torch-litert": "generator.bench.deploy.torch_litert:PATH",
    "torch-executorch": "generator.bench.deploy.torch_executorch:PATH",
}


def path_specs() -> dict[str, str]:
    specs = dict(PATHS)
    for item in filter(None, (part.strip() for part in os.environ.get(OVERRIDE_ENV, "").split(","))):
        path_id, sep, spec = item.partition("=")
        if not sep or ":" not in spec:
            raise ValueError(f"{OVERRIDE_ENV}: expected 'id=package.module:NAME', got {item!r}")
        specs[path_id.strip()] = spec.strip()
    return specs


def load_path(path_id: str) -> DeployPath:
    """The path object; importing its module imports no framework (each function imports what it needs)."""
    module_name, _, attribute = path_specs()[path_id].partition(":")
    return getattr(importlib.import_module(module_name), attribute)
