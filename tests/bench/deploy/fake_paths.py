"""Export paths that fail on purpose, each the way real converters and runtimes fail, for the runner's tests.

They wrap the real ``torch-export`` path and break one step of it (``ATLAS_DEPLOY_PATHS`` points ids at them).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy.torch_export import PATH as TORCH_EXPORT


def _converter_raises(model: Any, example: tuple, task: str, workdir: Path) -> Path:
    raise RuntimeError("fake converter: unsupported operator aten::frobnicate\nsecond line of the error")


def _runtime_crashes(runner: Any, inputs: tuple) -> list[np.ndarray]:
    os.abort()  # what a segfaulting runtime looks like from outside: the process dies, no payload


def _wrong_outputs(runner: Any, inputs: tuple) -> list[np.ndarray]:
    return [o + 1.0 for o in TORCH_EXPORT.run(runner, inputs)]


def _needs_missing_package(model: Any, example: tuple, task: str, workdir: Path) -> Path:
    import atlas_converter_that_does_not_exist  # noqa: F401

    raise AssertionError("unreachable")


def _load_fails(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    raise ValueError("fake runtime: the artifact's version is newer than this runtime")


def _variant(path_id: str, **changes: Any):
    return dataclasses.replace(TORCH_EXPORT, id=path_id, **changes)


RAISES = _variant("fake-raises", export=_converter_raises)
CRASHES = _variant("fake-crashes", run=_runtime_crashes)
WRONG = _variant("fake-wrong", run=_wrong_outputs)
MISSING = _variant("fake-missing", export=_needs_missing_package, install="pip install atlas-converter")
LOAD_FAILS = _variant("fake-load-fails", load=_load_fails)
WORKS = _variant("fake-works")
INT8_WRONG = _variant("fake-int8-drift", precision="int8-dynamic", run=_wrong_outputs)

OVERRIDE = ",".join(f"{p.id}=tests.bench.deploy.fake_paths:{name}" for name, p in [
    ("RAISES", RAISES), ("CRASHES", CRASHES), ("WRONG", WRONG), ("MISSING", MISSING), ("LOAD_FAILS", LOAD_FAILS),
    ("INT8_WRONG", INT8_WRONG), ("WORKS", WORKS)])
FAKE_IDS = [p.id for p in (RAISES, CRASHES, WRONG, MISSING, LOAD_FAILS, INT8_WRONG, WORKS)]
