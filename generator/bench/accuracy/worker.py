"""One framework, one seed, in its own process: ``python -m generator.bench.accuracy.worker JOB.json OUT.json``.

The runner starts one worker per framework × seed, so TensorFlow and PyTorch are never imported into the same
process (they would share, and fight over, threads and allocators) and a crash in one run is contained. The job
file names the framework, the seed, the settings and the ``.npz`` of the shared initial weights; the worker writes
what it measured to ``OUT.json`` and exits 0, or exits non-zero with the error on stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from generator.bench.accuracy import data, loop, port
from generator.bench.accuracy.spec import TrainConfig

MODULES = {"pytorch": "generator.bench.accuracy.torch", "tensorflow": "generator.bench.accuracy.tensorflow"}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                    "TF_NUM_INTEROP_THREADS", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables the runner sets for a worker, before the framework is imported."""
    return {
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def run_job(job: dict) -> dict:
    cfg = TrainConfig.from_dict(job["config"])
    framework, seed = job["framework"], int(job["seed"])
    module = importlib.import_module(MODULES[framework])
    build = module.configure(cfg)
    weights = port.load_weights(Path(job["weights"]))
    split = data.load_digits_split(cfg.test_fraction, cfg.split_seed)
    trainer = module.make_trainer(cfg, weights)
    started = time.time()
    if job.get("probe_steps"):
        record = loop.probe(trainer, split, cfg, seed, int(job["probe_steps"]))
    else:
        record = loop.train(trainer, split, cfg, seed)
    return {
        "framework": framework,
        "seed": seed,
        "framework_version": build.pop("version"),
        "framework_build": build,
        "thread_env": {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ},
        "weights_sha256": port.weights_digest(weights),
        "train_seconds_wall": time.time() - started,
        **asdict(record),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    out = run_job(job)
    Path(args[1]).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
