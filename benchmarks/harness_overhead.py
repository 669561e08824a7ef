"""How much the harness itself costs: ResNet-50 inference through the harness vs a bare loop, same settings.

    python benchmarks/harness_overhead.py                          # PyTorch eager, batch 1, 224×224
    python benchmarks/harness_overhead.py --framework tensorflow   # TensorFlow graph mode
    python benchmarks/harness_overhead.py --rounds 3 --steps 10

Both sides run in fresh subprocesses with the worker's environment (threads, seeds), the same model from
``generator.bench.workloads.resnet50``, the same input, layout, mode and warm-up. The harness side is a real
worker run (per-step synchronisation and clock reads, memory probe); the bare side is the loop anyone would
write: warm up, then time each repeat of ``steps`` forward passes with two clock reads. Rounds alternate the two
to spread machine noise evenly; each side reports its median and its best repeat over all rounds (the best is
the more robust to other processes). Target: under 2%.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.bench import environment, methodology, registry
from generator.bench.runner import failure_of, run_worker, worker_env
from generator.results import RunConfig

MODES = {"pytorch": "eager", "tensorflow": "graph"}


def make_config(framework: str, batch_size: int, steps: int, repeats: int, image_size: int) -> RunConfig:
    shape = dict(registry.load_common("image-classification").SHAPES["standard"], image_size=image_size)
    return RunConfig(suite="overhead", task="image-classification", framework=framework, mode=MODES[framework],
                     precision="fp32", phase="inference", batch_size=batch_size, device="cpu",
                     threads=environment.usable_cores(), inter_op_threads=methodology.INTER_OP_THREADS,
                     channels_last=True, shape=shape, warmup_steps=3, measured_steps=steps, repeats=repeats,
                     timeout_s=900)


def bare_loop(config: RunConfig) -> list[float]:
    """The plain loop, in this (sub)process: returns the wall time of each repeat."""
    common = registry.load_common(config.task)
    task = registry.load_framework_module(config.task, config.framework)
    images, labels = common.make_batch(config.shape, config.batch_size, methodology.DATA_SEED)
    if config.framework == "pytorch":
        import torch

        torch.set_num_threads(config.threads)
        torch.set_num_interop_threads(config.inter_op_threads)
        model = task.build_model(config.shape, seed=0).eval().to(memory_format=torch.channels_last)
        x, _ = task.to_framework_batch((images, labels), "cpu")
        x = x.contiguous(memory_format=torch.channels_last)

        def forward():
            with torch.inference_mode():
                return model(x)
    else:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(config.threads)
        tf.config.threading.set_inter_op_parallelism_threads(config.inter_op_threads)
        tf.config.set_visible_devices([], "GPU")
        model = task.build_model(config.shape, seed=0)
        x, _ = task.to_framework_batch((images, labels), "cpu")
        call = tf.function(lambda inputs: model(inputs, training=False))

        def forward():
            return call(x).numpy()  # TensorFlow returns before the work is done only on GPUs; fetch anyway
    for _ in range(config.warmup_steps):
        forward()
    times = []
    for _ in range(config.repeats):
        start = time.perf_counter()
        for _ in range(config.measured_steps):
            forward()
        times.append(time.perf_counter() - start)
    return times


def run_bare(config: RunConfig) -> list[float]:
    out = subprocess.run([sys.executable, __file__, "--bare", config.model_dump_json()], env=worker_env(config),
                         capture_output=True, text=True, check=True, cwd=environment.REPO_ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_harness(config: RunConfig) -> list[float]:
    outcome = run_worker("run", config, config.timeout_s)
    if not outcome.payload or outcome.payload["status"] != "ok":
        raise SystemExit(f"harness run failed: {failure_of(outcome, config.timeout_s).message}")
    return outcome.payload["measurement"]["repeat_times_s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=list(MODES), default="pytorch")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--steps", type=int, default=10, help="steps per repeat")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of harness and bare loop")
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare_loop(RunConfig.model_validate_json(args.bare))))
        return 0

    config = make_config(args.framework, args.batch_size, args.steps, args.repeats, args.image_size)
    host = environment.capture_host()
    meter = environment.CpuShareMeter()
    meter.start()
    harness, bare = [], []
    for round_index in range(args.rounds):
        order = [(harness, run_harness), (bare, run_bare)]
        for times, run in order if round_index % 2 == 0 else order[::-1]:
            times.extend(run(config))
    foreign = meter.stop()
    sides = {"harness": harness, "bare": bare}
    median = {name: statistics.median(times) / config.measured_steps for name, times in sides.items()}
    best = {name: min(times) / config.measured_steps for name, times in sides.items()}
    print(f"ResNet-50 inference, {config.framework} {config.mode}, fp32, batch {config.batch_size}, "
          f"{config.shape['image_size']}×{config.shape['image_size']}, {config.threads} threads, "
          f"{args.rounds} rounds × {config.repeats} repeats × {config.measured_steps} steps")
    print(f"machine: {host.machine_label('cpu')}; load at start {host.load_at_start[0]:.2f}; "
          f"other processes used {foreign:.0%} of the CPU meanwhile" if foreign is not None else "")
    for name in sides:
        print(f"  {name:>7}: median {median[name] * 1e3:8.2f} ms/step ({config.batch_size / median[name]:7.2f} "
              f"samples/s), best repeat {best[name] * 1e3:8.2f} ms/step")
    print(f"harness overhead: {median['harness'] / median['bare'] - 1:+.2%} on medians, "
          f"{best['harness'] / best['bare'] - 1:+.2%} on best repeats (target < 2%; meaningful only on a quiet "
          "machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
