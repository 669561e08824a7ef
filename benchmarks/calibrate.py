"""Print the calibrated peak FLOP/s of this machine, per framework and precision, as the harness measures it.

    python benchmarks/calibrate.py                 # CPU, both frameworks, every precision the CPU supports
    python benchmarks/calibrate.py --device cuda

Each calibration runs in its own worker subprocess with the suite's thread settings (methodology.CALIBRATION).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.bench import environment, methodology, plan
from generator.bench.runner import failure_of, run_worker
from generator.results.schema import RunConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--framework", action="append", choices=plan.DEFAULT_FRAMEWORKS)
    args = parser.parse_args()
    host = environment.capture_host()
    if args.device == "cuda" and host.gpu is None:
        print("skipped: no NVIDIA GPU found")
        return 0
    size = methodology.CALIBRATION[args.device].size
    print(f"{host.machine_label(args.device)}: {size}×{size} matmul, {host.cpu_cores_logical} threads, "
          f"load {host.load_at_start[0]:.2f}")
    for precision in plan.device_precisions(args.device, "full", host):
        for framework in args.framework or plan.DEFAULT_FRAMEWORKS:
            config = RunConfig(suite="calibration", task="image-classification", framework=framework, mode="eager",
                               precision=precision, phase="inference", batch_size=1, device=args.device,
                               threads=host.cpu_cores_logical, inter_op_threads=methodology.INTER_OP_THREADS,
                               tf32=args.device == "cuda" and methodology.TF32, warmup_steps=1, measured_steps=1,
                               repeats=1, timeout_s=300)
            outcome = run_worker("calibrate", config, config.timeout_s)
            if outcome.payload and outcome.payload["status"] == "ok":
                peak = outcome.payload["calibration"]["peak_flops_per_s"]
                print(f"{framework:>10} {precision:>5}: {peak / 1e9:9.1f} GFLOP/s")
            else:
                failure = failure_of(outcome, config.timeout_s)
                print(f"{framework:>10} {precision:>5}: failed ({failure.kind}): {failure.message.splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
