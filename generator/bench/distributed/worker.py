"""What a distributed worker does whichever framework runs it: no framework import here.

A worker is started by its framework's launcher with one argument, the path of the run's request (JSON written by
the runner). It pins itself to its share of the cores, takes its slice of the global batch, runs the equivalence
step and the timed steps through the framework module's callbacks, and writes ``rank-<r>.json`` (and, on rank 0,
the weights before and after the check step) into the run's folder.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.bench import methodology, registry

PR_SET_PDEATHSIG = 1
# Test hook: "RANK:STEP" makes that rank SIGKILL itself at that timed step, as a crashed or OOM-killed worker would.
KILL_ENV = "ATLAS_DISTRIBUTED_KILL"
INITIAL_WEIGHTS = "weights-initial.npz"
CHECKED_WEIGHTS = "weights-after-check.npz"


@dataclass(frozen=True)
class Placement:
    rank: int
    workers: int
    cores: tuple[int, ...]


def die_with_parent() -> None:
    """SIGKILL this worker when its launcher dies (Linux): a killed run must leave no worker behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def pin(rank: int, workers: int, threads_per_worker: int) -> Placement:
    """Give rank r the r-th block of ``threads_per_worker`` cores of those the run may use."""
    available = sorted(os.sched_getaffinity(0))
    cores = tuple(available[rank * threads_per_worker:(rank + 1) * threads_per_worker]) or tuple(available)
    os.sched_setaffinity(0, cores)
    return Placement(rank, workers, cores)


def local_slice(tree: Any, rank: int, per_worker: int) -> Any:
    """Rank r's contiguous part of a global NumPy batch (arrays, or a dict of arrays)."""
    if isinstance(tree, dict):
        return {key: local_slice(value, rank, per_worker) for key, value in tree.items()}
    if isinstance(tree, tuple):
        return tuple(local_slice(value, rank, per_worker) for value in tree)
    return np.ascontiguousarray(tree[rank * per_worker:(rank + 1) * per_worker])


def global_batches(config: dict[str, Any]) -> tuple[Any, Any]:
    """The check step's global batch and the timed steps' global batch, both from the standard data seed."""
    common = registry.load_common(config["task"])
    check = common.make_batch(config["shape"], config["equivalence_batch"], methodology.DATA_SEED)
    timed = common.make_batch(config["shape"], config["global_batch"], methodology.DATA_SEED)
    return check, timed


def _kill_at() -> tuple[int, int] | None:
    value = os.environ.get(KILL_ENV, "")
    if not value:
        return None
    rank, _, step = value.partition(":")
    return int(rank), int(step)


@dataclass
class Engine:
    """One framework's side of a run, built after its process group exists."""

    check_step: Callable[[], None]  # one SGD step on the check batch, inference-mode forward
    train_step: Callable[[], Any]  # one training step on the run's batch; returns something to synchronise on
    sync: Callable[[Any], None]
    export_weights: Callable[[], dict[str, np.ndarray]]
    communication: Any = None  # an object with .start_step(), .share(step_start, step_end) or None
    communication_note: str = ""
    framework_info: dict[str, Any] | None = None


def read_request(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def run(request_path: str, rank: int, workers: int, start_group: Callable[[], None],
        build: Callable[[dict[str, Any], Placement, Any, Any], Engine]) -> int:
    """The worker's life: pin, form the group (timed), the check step, the timed loop, the result file."""
    die_with_parent()
    request = read_request(request_path)
    config, folder = request["config"], Path(request["folder"])
    placement = pin(rank, workers, config["threads_per_worker"])
    started = time.perf_counter()
    start_group()
    startup_s = time.perf_counter() - started
    check, timed = global_batches(config)
    engine = build(config, placement, local_slice(check, rank, config["equivalence_batch"] // workers),
                   local_slice(timed, rank, config["per_worker_batch"]))
    if rank == 0:
        np.savez(folder / INITIAL_WEIGHTS, **engine.export_weights())
    engine.check_step()
    if rank == 0:
        np.savez(folder / CHECKED_WEIGHTS, **engine.export_weights())
    kill = _kill_at()
    first = time.perf_counter()
    engine.sync(engine.train_step())
    first_step_s = time.perf_counter() - first
    for _ in range(config["warmup_steps"] - 1):
        engine.sync(engine.train_step())
    step_times, repeat_times, shares = [], [], []
    for repeat in range(config["repeats"]):
        repeat_start = time.perf_counter()
        for step in range(config["measured_steps"]):
            if kill == (rank, repeat * config["measured_steps"] + step):
                os.kill(os.getpid(), signal.SIGKILL)
            if engine.communication is not None:
                engine.communication.start_step()
            step_start = time.perf_counter()
            engine.sync(engine.train_step())
            step_end = time.perf_counter()
            step_times.append(step_end - step_start)
            if engine.communication is not None:
                shares.append(engine.communication.share(step_start, step_end))
        repeat_times.append(time.perf_counter() - repeat_start)
    payload = {"rank": rank, "workers": workers, "cores": list(placement.cores), "startup_s": startup_s,
               "first_step_s": first_step_s, "step_times_s": step_times, "repeat_times_s": repeat_times,
               "communication_share": float(np.median(shares)) if shares else None,
               "communication_note": engine.communication_note, "framework": engine.framework_info or {}}
    partial = folder / f".rank-{rank}.partial"
    partial.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(partial, folder / f"rank-{rank}.json")
    return 0
