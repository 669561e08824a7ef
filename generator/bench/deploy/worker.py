"""One step of one deployment cell in a fresh process: ``python -m generator.bench.deploy.worker REQUEST``.

Actions (``REQUEST`` is JSON, as for the speed worker):

- ``weights``: build the PyTorch model at the model seed, write the shared canonical weights (``.npz``);
- ``export``: build the source model with those weights, save its reference outputs on the fixed batch, export the
  path's artifact and time only the export call(s);
- ``run``: load the artifact in its runtime (only the runtime is imported), save its outputs on the fixed batch,
  then time batch-1 calls and, where the artifact takes any batch, batch-``throughput_batch`` calls.

Every failure it can name is a payload ``{"status": "failed", "failure": {...}}``; a missing package is marked
``missing_package`` so the runner can record "not installable" rather than "failed".
"""

from __future__ import annotations

import importlib.metadata
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from generator.bench import timing
from generator.bench.deploy import models
from generator.bench.deploy.paths import load_path
from generator.bench.frameworks.common import _status_kb
from generator.bench.worker import serve
from generator.bench.workloads import porting
from generator.results.schema import DeployConfig


def versions(packages: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for name in packages:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def artifact_bytes(artifact: Path) -> int:
    if artifact.is_dir():
        return sum(p.stat().st_size for p in artifact.rglob("*") if p.is_file())
    return artifact.stat().st_size


def save_outputs(path: Path, outputs: list[np.ndarray]) -> None:
    np.savez(path, *[np.asarray(o) for o in outputs])


def load_outputs(path: Path) -> list[np.ndarray]:
    with np.load(path) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


def load_inputs(path: Path) -> tuple[np.ndarray, ...]:
    return tuple(load_outputs(path))


def do_weights(request: dict[str, Any]) -> dict[str, Any]:
    config = DeployConfig.model_validate(request["config"])
    porting.save(models.shared_weights(config.task, config.shape, config.fidelity_samples), request["weights"])
    return {}


def do_export(request: dict[str, Any]) -> dict[str, Any]:
    config = DeployConfig.model_validate(request["config"])
    path = load_path(config.path)
    workdir = Path(request["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    example = models.to_source_layout(config.task, path.source, load_inputs(Path(request["inputs"])))
    model = models.source_model(config.task, path.source, config.shape, Path(request["weights"]))
    save_outputs(Path(request["reference"]), models.reference_outputs(config.task, path.source, model, example))
    start = time.perf_counter()
    artifact = path.export(model, example, config.task, workdir)
    export_s = time.perf_counter() - start
    return {"export_s": export_s, "artifact": str(artifact), "artifact_bytes": artifact_bytes(artifact),
            "versions": versions(path.packages)}


def do_run(request: dict[str, Any]) -> dict[str, Any]:
    config = DeployConfig.model_validate(request["config"])
    path = load_path(config.path)
    inputs = models.to_source_layout(config.task, path.source, load_inputs(Path(request["inputs"])))
    start = time.perf_counter()
    try:
        runner = path.load(Path(request["artifact"]), config.threads, config.inter_op_threads)
    except Exception as error:
        raise LoadFailed(error) from error
    load_s = time.perf_counter() - start
    single = tuple(a[:1] for a in inputs)
    start = time.perf_counter()
    path.run(runner, single)
    first_call_s = time.perf_counter() - start

    def fixed_batch_outputs() -> tuple[list[np.ndarray], str | None]:
        """The fixed batch in one call where the artifact takes any batch, else sample by sample."""
        if path.batching == "dynamic":
            return path.run(runner, inputs), None
        calls = [path.run(runner, tuple(a[i:i + 1] for a in inputs)) for i in range(inputs[0].shape[0])]
        note = (f"the artifact is exported for batch 1 (its sample input's shapes, as on a phone); batch "
                f"{config.throughput_batch} would need an artifact of its own")
        return [np.concatenate(parts) for parts in zip(*calls, strict=True)], note

    outputs, throughput_note = fixed_batch_outputs()
    save_outputs(Path(request["outputs"]), outputs)

    def no_sync(_: Any) -> None:  # every run() returns host arrays: the call has finished
        return None

    latency = timing.measure(lambda: path.run(runner, single), no_sync, warmup_steps=config.warmup_steps,
                             repeats=config.latency_repeats, measured_steps=config.latency_steps)
    throughput = None
    if throughput_note is None:
        batch = tuple(np.concatenate([a] * -(-config.throughput_batch // a.shape[0]))[:config.throughput_batch]
                      for a in inputs)
        throughput = timing.measure(lambda: path.run(runner, batch), no_sync, warmup_steps=config.warmup_steps,
                                    repeats=config.throughput_repeats, measured_steps=1)
    return {"load_s": load_s, "first_call_s": first_call_s, "latency": asdict(latency),
            "throughput": asdict(throughput) if throughput else None, "throughput_note": throughput_note,
            "peak_rss_mb": (_status_kb("VmHWM") or 0) / 1024, "versions": versions(path.packages)}


ACTIONS = {"weights": do_weights, "export": do_export, "run": do_run}


class LoadFailed(Exception):
    """The artifact would not load in its runtime (as opposed to failing when called)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(first_line(cause))
        self.cause = cause


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else '(no message)'}"[:500]


def handle(request: dict[str, Any]) -> dict[str, Any]:
    stage = {"weights": "export", "export": "export", "run": "run"}[request["action"]]
    try:
        payload = ACTIONS[request["action"]](request)
    except LoadFailed as error:
        if isinstance(error.cause, ImportError):
            return handle_missing(error.cause)
        return {"status": "failed", "failure": {"kind": "error", "message": str(error), "stage": "load",
                                                "detail": traceback.format_exc(limit=8)[-4000:]}}
    except ImportError as error:  # ModuleNotFoundError included: the path's package is not installed
        return handle_missing(error)
    except MemoryError as error:
        return {"status": "failed", "failure": {"kind": "oom", "message": first_line(error), "stage": stage,
                                                "detail": traceback.format_exc(limit=6)[-4000:]}}
    except Exception as error:  # noqa: BLE001 - every failure becomes a recorded result, never a silent gap
        return {"status": "failed", "failure": {"kind": "error", "message": first_line(error), "stage": stage,
                                                "detail": traceback.format_exc(limit=8)[-4000:]}}
    return {"status": "ok", **payload}


def handle_missing(error: ImportError) -> dict[str, Any]:
    """ModuleNotFoundError included: a package of the path is not installed."""
    return {"status": "failed", "failure": {"kind": "unsupported", "message": first_line(error), "stage": "install",
                                            "detail": traceback.format_exc(limit=6)[-4000:],
                                            "missing_package": True}}


def main(argv: list[str]) -> int:
    return serve(argv, handle)  # dies with its runner: no export or runtime left loading the machine


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
