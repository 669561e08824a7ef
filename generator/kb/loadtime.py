"""Print how long loading and validating the knowledge base takes, as is and inflated (not a timed test).

    python -m generator.kb.loadtime [--data data] [--factor 100]

The whole site build has a 30 s budget on the 2-core reference machine with the knowledge base inflated 100×;
loading is the first step of it, so it has to stay well below that.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from generator.kb.inflate import inflate
from generator.kb.loader import load_knowledge_base


def timed_load(data_dir: Path) -> str:
    """One line: files, wall-clock seconds and CPU seconds (CPU time is steadier on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = load_knowledge_base(data_dir)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return f"{len(result.entries)} files in {elapsed:.2f} s wall, {cpu:.2f} s CPU ({len(result.errors)} errors)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loadtime", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--factor", type=int, default=100)
    args = parser.parse_args(argv)

    print(f"load {args.data}: {timed_load(args.data)}")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "data"
        start = time.perf_counter()
        inflate(args.data, big, args.factor)
        print(f"inflate ×{args.factor}: {time.perf_counter() - start:.2f} s")
        print(f"load ×{args.factor}: {timed_load(big)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
