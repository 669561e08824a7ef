"""``python -m generator.bench.accuracy``: run the accuracy-parity suite (also ``invoke bench --suite accuracy``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.bench.accuracy.runner import DEFAULT_SEEDS, FRAMEWORKS, run_suite
from generator.bench.accuracy.spec import TrainConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench.accuracy", description=__doc__)
    parser.add_argument("--results-dir", type=Path, default=Path("data/results"))
    parser.add_argument("--framework", default=",".join(FRAMEWORKS), help="comma-separated: tensorflow,pytorch")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help=f"seeds per framework (default {DEFAULT_SEEDS})")
    parser.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    parser.add_argument("--resume", action="store_true", help="keep stored ok runs of the same settings")
    args = parser.parse_args(argv)
    frameworks = [name.strip() for name in args.framework.split(",") if name.strip()]
    command = ["python", "-m", "generator.bench.accuracy", *(sys.argv[1:] if argv is None else argv)]
    return run_suite(args.results_dir, frameworks, args.seeds, args.epochs, args.resume, argv=command)


if __name__ == "__main__":
    sys.exit(main())
