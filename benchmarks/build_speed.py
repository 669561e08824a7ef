"""How long a full site build takes: on the shipped knowledge base, and on one inflated 100× (a benchmark, not a test).

    python benchmarks/build_speed.py [--factor 100] [--repeats 3]

Each build runs ``build_site`` in a fresh Python process (imports included, as ``invoke build`` pays them) into a
temporary folder. Printed per build: wall time, CPU time (user + system of the build process) and the machine's
load average when it started, since wall time on a shared machine depends on what else is running. The median of
``--repeats`` builds is reported. Targets (2-core machine): shipped < 5 s, 100× < 30 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"shipped": 5.0, "inflated": 30.0}

BUILD = """
import sys
from pathlib import Path
from generator.site.build import build_site
sys.exit(build_site(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
"""


def timed_build(data_dir: Path, results_dir: Path, site_dir: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, 1-minute load average at start) of one build in a fresh process."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", BUILD, str(data_dir), str(results_dir), str(site_dir)],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"build of {data_dir} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, load


def measure(label: str, data_dir: Path, results_dir: Path, work: Path, repeats: int) -> None:
    runs = []
    for repeat in range(repeats):
        wall, cpu, load = timed_build(data_dir, results_dir, work / f"site-{label}-{repeat}")
        runs.append((wall, cpu))
        print(f"  {label:8s} run {repeat + 1}: wall {wall:6.2f} s   cpu {cpu:6.2f} s   load average {load:4.1f}")
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    verdict = "within" if wall < TARGETS_S[label] else "OVER"
    print(f"{label}: median wall {wall:.2f} s, median cpu {cpu:.2f} s ({verdict} the {TARGETS_S[label]:.0f} s target)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data")
    parser.add_argument("--factor", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from generator.kb.inflate import inflate

    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="atlas-build-speed-") as tmp:
        work = Path(tmp)
        results_dir = args.data / "results"
        measure("shipped", args.data, results_dir, work, args.repeats)
        started = time.perf_counter()
        files = inflate(args.data, work / "inflated" / "data", args.factor)
        print(f"  (inflated the knowledge base {args.factor}× to {files} files in "
              f"{time.perf_counter() - started:.1f} s; not part of the build time)")
        measure("inflated", work / "inflated" / "data", results_dir, work, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
