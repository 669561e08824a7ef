"""A runner killed with SIGKILL cannot clean up: its worker must die with it (PR_SET_PDEATHSIG), or the orphan
keeps loading the machine under the next measurement until its run's timeout (issue 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.bench import worker

pytestmark = pytest.mark.bench

FAKE_TASK = {"ATLAS_TASK_PACKAGES": "image-classification=tests.bench.fake_task"}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running_workers(runner_pid: int) -> list[int]:
    """The runner's children measuring a run (the calibration worker before them finishes on its own)."""
    def measuring(pid: int) -> bool:
        try:
            return b'"action": "run"' in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
    return [pid for pid in children(runner_pid) if measuring(pid)]


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a reaper (in a container PID 1 may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_sigkilled_runner_takes_its_worker_with_it(tmp_path):
    args = [sys.executable, "-m", "generator.cli", "bench", "--suite", "standard", "--task", "image-classification",
            "--framework", "pytorch", "--mode", "eager", "--precision", "fp32",
            "--results-dir", str(tmp_path), "--quiet-wait", "0", "--timeout", "600"]
    env = os.environ | FAKE_TASK | {"ATLAS_FAKE_SLEEP_S": "600"}  # every run would outlive this test by far
    suite = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert wait_until(lambda: running_workers(suite.pid), 180), "the runner never started a run"
        workers = running_workers(suite.pid)
        time.sleep(1.0)  # let the worker get past its start-up, into the run
        suite.kill()
        suite.wait(timeout=30)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 15), "the worker outlived its runner"
    finally:  # on failure, leave no orphan behind for the next test to measure under
        suite.kill()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_whose_runner_is_already_gone_exits_at_once(monkeypatch):
    monkeypatch.setenv(worker.RUNNER_PID_ENV, str(os.getppid() + 1_000_000))  # not our parent
    with pytest.raises(SystemExit) as stopped:
        worker.die_with_runner()
    assert stopped.value.code == worker.EXIT_RUNNER_GONE
