"""Which package implements each task: the contract's TASK_PACKAGES, plus an override for tests.

``ATLAS_TASK_PACKAGES="image-classification=tests.bench.fake_task"`` points a task id at another package, so the
harness tests run a tiny model through the real runner, worker and adapters in seconds. The override keeps a
real task id because results must validate against the schema's task list. Workers inherit it from the runner's
environment.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from generator.bench.workloads.base import FRAMEWORK_MODULES, TASK_PACKAGES

OVERRIDE_ENV = "ATLAS_TASK_PACKAGES"


def task_packages() -> dict[str, str]:
    packages = dict(TASK_PACKAGES)
    for item in filter(None, (part.strip() for part in os.environ.get(OVERRIDE_ENV, "").split(","))):
        task, sep, package = item.partition("=")
        if not sep or not package.strip():
            raise ValueError(f"{OVERRIDE_ENV}: expected 'task=package', got {item!r}")
        packages[task.strip()] = package.strip()
    return packages


def load_common(task: str) -> ModuleType:
    """The task's framework-free module (TASK, SHAPES, PHASES, make_batch)."""
    return importlib.import_module(f"{task_packages()[task]}.common")


def load_framework_module(task: str, framework: str) -> ModuleType:
    """The task's module for one framework; importing it imports that framework."""
    return importlib.import_module(f"{task_packages()[task]}.{FRAMEWORK_MODULES[framework]}")
