"""Per-framework adapters: the only code that knows devices, threads, precision, compilation and synchronisation.

Each adapter module (``torch.py``, ``tensorflow.py``) offers the same functions, so the worker drives either
the same way:

- ``configure(device, precision, threads, inter_op_threads, tf32)``: before any framework op;
- ``prepare(task_module, config, numpy_batch) -> Prepared``: model on the device, in the mode and precision
  asked for, and the step (training or inference) the timing loop calls;
- ``memory_probe(device)``, ``calibrate_peak(precision, device)``, ``framework_info(device)``, ``is_oom(exc)``.

Importing an adapter imports its framework, so only the worker subprocess does it, and only one per process.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ADAPTERS = {"pytorch": "generator.bench.frameworks.torch", "tensorflow": "generator.bench.frameworks.tensorflow"}


def load_adapter(framework: str) -> ModuleType:
    return importlib.import_module(ADAPTERS[framework])
