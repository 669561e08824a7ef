"""One run, or one peak calibration, in a fresh process: ``python -m generator.bench.worker REQUEST``.

``REQUEST`` is a JSON object (inline, or the path of a file holding it)::

    {"action": "run" | "calibrate" | "calibrate-numpy", "config": RunConfig as JSON, "output": "/path/payload.json"}

The worker imports exactly one framework, measures, and writes a payload to ``output``: ``{"status": "ok", ...}``,
or ``{"status": "failed", "failure": {"kind", "message"}}`` for a failure it can name (unsupported, out of
memory, an exception). A process that dies (a signal, a hard crash) writes nothing and the runner classifies
it from the exit status. The runner turns payloads into result documents; nothing here writes a result.

The worker dies with its runner: a runner killed with SIGKILL cannot kill its children, and an orphaned worker
would go on loading the machine under the next measurement until its run ends.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from generator.bench import methodology, peaks, registry, timing
from generator.bench.frameworks import load_adapter
from generator.bench.frameworks.common import Unsupported
from generator.results.schema import RunConfig

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
RUNNER_PID_ENV = "ATLAS_BENCH_RUNNER_PID"  # set by generator.bench.runner.worker_env
EXIT_RUNNER_GONE = 4


def die_with_runner() -> None:
    """Ask Linux to SIGKILL this process when its parent (the runner) dies, then check the parent is still there:
    a runner that died between starting us and the prctl call would otherwise leave us running.

    Elsewhere (macOS) there is no parent-death signal; the runner's own cleanup is all there is.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    runner_pid = os.environ.get(RUNNER_PID_ENV)
    if runner_pid and os.getppid() != int(runner_pid):
        sys.exit(EXIT_RUNNER_GONE)


def run(adapter: Any, config: RunConfig) -> dict[str, Any]:
    common = registry.load_common(config.task)
    if config.phase not in common.PHASES:
        raise Unsupported(f"{config.task} has no {config.phase} phase (phases: {', '.join(common.PHASES)})")
    task = registry.load_framework_module(config.task, config.framework)
    batch = common.make_batch(config.shape, config.batch_size, methodology.DATA_SEED)

    memory = adapter.memory_probe(config.device)
    memory.start()
    prepared = adapter.prepare(task, config, batch)
    measurement = timing.measure(prepared.step, prepared.sync, warmup_steps=config.warmup_steps,
                                 repeats=config.repeats, measured_steps=config.measured_steps)
    peak_memory_mb, memory_kind = memory.peak()
    return {
        "measurement": asdict(measurement),
        "peak_memory_mb": peak_memory_mb,
        "memory_kind": memory_kind,
        # Counted after timing, so a counting pass can neither warm anything up nor add to the memory peak.
        "forward_flops_per_sample": float(task.flops_per_sample(prepared.model, config.shape)),
        "parameter_count": int(task.parameter_count(prepared.model)),
    }


def handle(request: dict[str, Any]) -> dict[str, Any]:
    config = RunConfig.model_validate(request["config"])
    if request["action"] == "calibrate-numpy":  # the third witness of the machine's peak: no framework imported
        try:
            calibration = peaks.numpy_calibration(config.precision, config.device)
        except peaks.NoWitness as error:
            return {"status": "failed", "failure": {"kind": "unsupported", "message": str(error)}}
        return {"status": "ok", "calibration": calibration.model_dump(mode="json")}
    adapter = load_adapter(config.framework)
    try:
        adapter.configure(config.device, config.precision, config.threads, config.inter_op_threads, config.tf32)
        if request["action"] == "calibrate":
            payload = {"calibration": adapter.calibrate_peak(config.precision, config.device).model_dump(mode="json")}
        else:
            payload = run(adapter, config)
    except Unsupported as error:
        return {"status": "failed", "failure": {"kind": "unsupported", "message": str(error)}}
    except Exception as error:  # noqa: BLE001 - every failure becomes a recorded result, never a silent gap
        kind = "oom" if adapter.is_oom(error) else "error"
        message = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=8)}"
        return {"status": "failed", "failure": {"kind": kind, "message": message[-4000:]}}
    payload["framework"] = adapter.framework_info(config.device)
    return {"status": "ok", **payload}


def main(argv: list[str]) -> int:
    return serve(argv, handle)


def serve(argv: list[str], handler: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """A worker process's life, for every kind of worker: die with the runner, read the request (inline JSON or a
    file), handle it, write the payload atomically; exit 0 when it says ok."""
    die_with_runner()
    text = argv[0] if argv[0].lstrip().startswith("{") else Path(argv[0]).read_text(encoding="utf-8")
    request = json.loads(text)
    payload = handler(request)
    output = Path(request["output"])
    temporary = output.with_suffix(".partial")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(temporary, output)
    return 0 if payload["status"] == "ok" else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
