"""How long the whole accuracy-parity suite takes on this machine (the bar: under 15 minutes on 2 cores).

    python benchmarks/accuracy_time.py                      # default suite into a temporary folder
    python benchmarks/accuracy_time.py --results-dir data/results   # the same, keeping the results

Runs exactly what ``invoke bench --suite accuracy`` runs (same defaults), times it end to end with the wall
clock (worker start-up, framework imports and evaluation included), and prints the time, the machine load before
and after, and the statistical verdict of the runs it made. Exit status 1 if a run failed or the limit was
exceeded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.bench.accuracy.runner import DEFAULT_SEEDS, FRAMEWORKS, run_suite  # noqa: E402
from generator.bench.accuracy.spec import TrainConfig  # noqa: E402
from generator.bench.accuracy.stats import summarise  # noqa: E402
from generator.results.load import load_results  # noqa: E402

LIMIT_S = 15 * 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results-dir", type=Path, help="keep the results here (default: a temporary folder)")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS)
    parser.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="accuracy-time-") as tmp:
        results_dir = args.results_dir or Path(tmp)
        before = set(results_dir.rglob("*.json")) if results_dir.exists() else set()
        load_before = os.getloadavg()
        start = time.perf_counter()
        status = run_suite(results_dir, list(FRAMEWORKS), args.seeds, args.epochs, resume=False,
                           argv=["python", "benchmarks/accuracy_time.py", *(argv if argv is not None else sys.argv[1:])])
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
        new = sorted(set(results_dir.rglob("*.json")) - before)
        ids = {path.stem for path in new}
        loaded = [r for r in load_results(results_dir).results if r.result_id in ids]
        print(f"accuracy suite: {len(new)} runs ({len(FRAMEWORKS)} frameworks × {args.seeds} seeds × "
              f"{args.epochs} epochs) in {wall:.0f} s wall = {wall / 60:.1f} min (limit {LIMIT_S / 60:.0f} min) "
              f"on {os.cpu_count()} logical CPUs; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
        if loaded:
            comparison = summarise(loaded)
            for framework, summary in comparison.frameworks.items():
                acc = summary.final_accuracy
                print(f"  {framework}: mean final test accuracy {acc.mean:.4f} (sd {acc.std or 0:.4f}, n={acc.n}), "
                      f"min {acc.minimum:.4f}")
            print(f"  verdict: {comparison.verdict}")
        if wall > LIMIT_S:
            print(f"over the {LIMIT_S / 60:.0f}-minute limit", file=sys.stderr)
            return 1
        return status


if __name__ == "__main__":
    sys.exit(main())
