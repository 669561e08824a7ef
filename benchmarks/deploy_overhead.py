"""Does the deployment harness time an artifact as a bare loop would? Batch-1 latency of one exported model, the
harness's way and a plain loop over the same artifact in the same runtime, side by side in one run.

    python benchmarks/deploy_overhead.py                                   # ResNet-50 → torch-onnx (ONNX Runtime)
    python benchmarks/deploy_overhead.py --path tf-litert-fp32 --rounds 6
    python benchmarks/deploy_overhead.py --task sentiment-analysis --path tf-savedmodel

The artifact is the one the ``deploy`` suite exported (``.bench-cache/deploy/<suite>/<task>/<path>/``); if it is
not there, this exports it first with the suite's own export worker. Then, in *this* process with the worker's
thread settings, the two sides alternate ``--rounds`` times (order swapped each round, so drift cancels):

- harness: :func:`generator.bench.timing.measure` over the path's ``run`` (NumPy in, outputs copied back to NumPy),
  exactly as ``generator.bench.deploy.worker`` times it;
- bare: the runtime's own call in a ``for`` loop with two clock reads per call (``session.run`` for ONNX
  Runtime, ``set_tensor``/``invoke``/``get_tensor`` for LiteRT, the loaded function for a SavedModel).

Both sides share one loaded artifact. Printed: each round's p50 for both sides, the medians, the paired ratio and
the stored result's p50 for the same cell when one exists (another process, another time: context, not the
comparison). Target: harness within 5% of bare.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.bench import environment, methodology, timing  # noqa: E402
from generator.bench.deploy import models  # noqa: E402
from generator.bench.deploy import runner as deploy_runner  # noqa: E402
from generator.bench.deploy.paths import load_path  # noqa: E402
from generator.bench.deploy.worker import load_inputs  # noqa: E402
from generator.bench.runner import run_worker, worker_env  # noqa: E402


def bare_call(path_id: str, runner, inputs):
    """The runtime's own API, nothing of ours in between."""
    if path_id.endswith("onnx"):
        session, names = runner
        feeds = dict(zip(names, inputs, strict=True))
        return lambda: session.run(None, feeds)
    if "litert" in path_id:
        interpreter = runner.interpreter
        runner(inputs)  # the harness's runner sizes the tensors once; the bare loop then only sets, runs, reads
        details = runner.inputs
        outputs = [d["index"] for d in runner.outputs]

        def call():
            for detail, array in zip(details, inputs, strict=True):
                interpreter.set_tensor(detail["index"], array)
            interpreter.invoke()
            return [interpreter.get_tensor(index) for index in outputs]
        return call
    if path_id == "tf-savedmodel":
        return lambda: runner.serve(*inputs)
    raise SystemExit(f"{path_id}: no bare loop written for this runtime — use an ONNX, LiteRT or SavedModel path")


def bare_loop(call, warmup: int, steps: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", default="image-classification")
    p.add_argument("--path", default="torch-onnx")
    p.add_argument("--suite", default="deploy")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--steps", type=int, default=30, help="timed batch-1 calls per side per round")
    args = p.parse_args(argv)

    host = environment.capture_host()
    [config] = deploy_runner.build_plan(args.suite, host, tasks=(args.task,), paths=(args.path,))
    for name, value in worker_env(config).items():  # the worker's thread settings, before the runtime loads
        os.environ[name] = value
    run = deploy_runner.DeployRunner(Path("/tmp"), host)
    inputs_file, weights, failed = run.prepare(config)
    workdir = run.cache_dir / config.suite / config.task / config.path
    note = workdir / deploy_runner.ARTIFACT_NOTE
    if note.exists():
        artifact = Path(note.read_text(encoding="utf-8"))
    else:
        print(f"exporting {config.task} along {config.path} first…", flush=True)
        workdir.mkdir(parents=True, exist_ok=True)
        outcome = run_worker("export", config, config.timeout_s, module=deploy_runner.WORKER, extra={
            "inputs": str(inputs_file), "weights": str(weights), "workdir": str(workdir),
            "reference": str(workdir / "reference.npz")})
        if failed or not outcome.payload or outcome.payload.get("status") != "ok":
            print(f"export failed: {(outcome.payload or {}).get('failure') or outcome.log_tail[-500:]}")
            return 1
        artifact = Path(outcome.payload["artifact"])
    path = load_path(config.path)
    runner = path.load(artifact, config.threads, config.inter_op_threads)
    inputs = models.to_source_layout(config.task, path.source, load_inputs(inputs_file))
    single = tuple(a[:1] for a in inputs)
    bare = bare_call(config.path, runner, single)

    harness_p50, bare_p50 = [], []
    for round_index in range(args.rounds):
        sides = ["harness", "bare"] if round_index % 2 == 0 else ["bare", "harness"]
        figures = {}
        for side in sides:
            if side == "harness":
                measured = timing.measure(lambda: path.run(runner, single), lambda _: None,
                                          warmup_steps=config.warmup_steps, repeats=1, measured_steps=args.steps)
                figures[side] = statistics.median(measured.step_times_s) * 1e3
            else:
                figures[side] = statistics.median(bare_loop(bare, config.warmup_steps, args.steps)) * 1e3
        harness_p50.append(figures["harness"])
        bare_p50.append(figures["bare"])
        print(f"round {round_index + 1}: harness p50 {figures['harness']:.3f} ms · bare p50 {figures['bare']:.3f} ms "
              f"· ratio {figures['harness'] / figures['bare']:.3f}", flush=True)
    ratios = [h / b for h, b in zip(harness_p50, bare_p50, strict=True)]
    print(f"\n{config.task} · {config.path} ({config.format} → {config.runtime}), batch 1, {config.threads} threads")
    print(f"harness p50 (median of rounds): {statistics.median(harness_p50):.3f} ms")
    print(f"bare loop p50 (median of rounds): {statistics.median(bare_p50):.3f} ms")
    print(f"paired ratio harness / bare: median {statistics.median(ratios):.3f} "
          f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)}) — target within 5%")
    stored = sorted(Path("data/results").rglob(f"deploy.{config.task}.{config.path}.{config.suite}.*.json"))
    for file in stored:
        result = json.loads(file.read_text())
        if result.get("cost"):
            print(f"stored result {file.name}: p50 {result['cost']['latency_ms_p50']:.3f} ms (its own worker "
                  "process, at suite time)")
    quiet = methodology.QUIET_LOAD_PER_CORE * host.cpu_cores_logical
    print(f"load average at start {host.load_at_start[0]:.2f} (quiet below {quiet:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
