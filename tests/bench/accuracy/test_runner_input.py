"""Bad arguments to the accuracy suite: one line each saying what is wrong and how to fix it, exit 1, no run."""

from __future__ import annotations

import subprocess
import sys

from generator.bench.accuracy.runner import run_suite


def test_unknown_framework_and_bad_counts_are_reported_not_raised(tmp_path):
    lines: list[str] = []
    assert run_suite(tmp_path, ["tensorflow", "jax"], seeds=0, epochs=-1, log=lines.append) == 1
    assert lines == [
        "accuracy suite: --framework: unknown jax — use tensorflow and/or pytorch",
        "accuracy suite: --seeds: 0 — give a whole number of at least 1",
        "accuracy suite: --epochs: -1 — give a whole number of at least 1",
    ]
    assert not any(tmp_path.iterdir())


def test_command_line_exits_1_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "generator.bench.accuracy", "--framework", "mxnet",
                           "--results-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "unknown mxnet" in done.stderr and "Traceback" not in done.stderr
