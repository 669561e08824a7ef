"""Start a run's processes with the framework's own launcher, bound its time, and leave nothing behind.

- PyTorch: one ``python -m torch.distributed.run`` (torchrun) with a c10d rendezvous on ``127.0.0.1:<free port>``;
  it starts the workers (each in a session of its own) and ends them all when one fails (``--max-restarts 0``).
- TensorFlow: one process per worker, each with a ``TF_CONFIG`` naming every worker's ``127.0.0.1:<free port>``.
  There is no launcher to notice a dead peer, so the first worker to exit with an error ends the run.
  TensorFlow's gRPC server listens on every interface (``*:<port>``; it has no bind-address option), so where
  the machine allows it (root on Linux, ``unshare`` and ``nsenter`` present) a run's workers share a network
  namespace of their own holding only the loopback interface: nothing outside the run can reach their ports.
  The run's ``launcher`` says whether that was so.

Every process of a run carries a token in its environment (``ATLAS_DISTRIBUTED_RUN``); when the run ends (done,
failed, timed out or interrupted) every process on the machine holding that token is killed, however deep or
re-parented it is, and the run waits for them to be gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TOKEN_ENV = "ATLAS_DISTRIBUTED_RUN"
LOG_TAIL_CHARS = 2500
POLL_S = 0.2


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out as free on 127.0.0.1 (held together, so they differ; released for the workers)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def processes_with_token(token: str) -> Iterator[int]:
    """Every live process whose environment carries ``TOKEN_ENV=token`` (only our own are readable)."""
    marker = f"{TOKEN_ENV}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and marker in environ.split(b"\0"):
            yield int(entry.name)


def kill_token(token: str, wait_s: float = 10.0) -> list[int]:
    """SIGKILL every process of the run and wait until none is left; returns the ones still alive (none, normally)."""
    deadline = time.monotonic() + wait_s
    while True:
        left = list(processes_with_token(token))
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _die_with_runner() -> None:
    """In the launcher's child before exec: SIGKILL it when the runner dies (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def private_network_available() -> bool:
    """Can a run's workers get a network namespace of their own (only loopback in it)?"""
    return (sys.platform.startswith("linux") and os.geteuid() == 0
            and all(shutil.which(tool) for tool in ("unshare", "nsenter", "ip")))


PRIVATE_NETWORK_READY_S = 10.0


def _private_network(token: str, folder: Path, log) -> list[str]:
    """Start the namespace's holder (it brings loopback up, then sleeps; the run's token kills it with the run)
    and return the prefix that starts a command inside it."""
    ready = folder / "netns.ready"
    holder = subprocess.Popen(["unshare", "--net", "--", "sh", "-c", f'ip link set lo up && : > "{ready}" && '
                               "exec sleep 86400"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              env={**os.environ, TOKEN_ENV: token}, preexec_fn=_die_with_runner,
                              start_new_session=True)
    deadline = time.monotonic() + PRIVATE_NETWORK_READY_S
    while not ready.exists():
        if holder.poll() is not None or time.monotonic() > deadline:
            raise OSError(f"the private network namespace did not start (unshare exited {holder.returncode})")
        time.sleep(0.02)
    return ["nsenter", f"--net=/proc/{holder.pid}/ns/net", "--"]


@dataclass
class Launched:
    returncodes: list[int | None]  # per process started here; None: killed at the timeout
    timed_out: bool
    wall_s: float
    log_tail: str
    leftover: list[int]  # processes that would not die (should be empty)


def run_processes(commands: list[list[str]], envs: list[dict[str, str]], folder: Path, timeout_s: float,
                  fail_fast: bool, private_network: bool = False) -> Launched:
    """Start every command (each in a session of its own: a terminal's Ctrl-C reaches only the runner), wait for all of them to exit or the first to fail
    (``fail_fast``) or the timeout, then kill whatever of the run is still alive."""
    token = uuid.uuid4().hex
    log_path = folder / "workers.log"
    processes: list[subprocess.Popen] = []
    started = time.perf_counter()
    timed_out = False
    with log_path.open("wb") as log:
        try:
            try:
                prefix = _private_network(token, folder, log) if private_network else []
            except OSError as error:  # a run that cannot start is a recorded failure, like any other
                log.write(f"{error}\n".encode())
                return Launched([1] * len(commands), False, time.perf_counter() - started, str(error), [])
            for command, env in zip(commands, envs, strict=True):
                processes.append(subprocess.Popen(
                    [*prefix, *command], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env={**env, TOKEN_ENV: token}, cwd=env.get("ATLAS_REPO_ROOT"), preexec_fn=_die_with_runner,
                    start_new_session=True))
            deadline = time.monotonic() + timeout_s
            while any(p.poll() is None for p in processes):
                if fail_fast and any(p.returncode not in (None, 0) for p in processes):
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    break
                time.sleep(POLL_S)
        finally:
            leftover = kill_token(token)
            for process in processes:
                process.wait()
    returncodes = [p.returncode for p in processes]
    if timed_out:
        returncodes = [None if code is None or code == -signal.SIGKILL else code for code in returncodes]
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
    return Launched(returncodes, timed_out, time.perf_counter() - started, tail, leftover)


def torchrun_command(workers: int, module: str, request: Path) -> list[str]:
    port = free_ports(1)[0]
    return [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", str(workers),
            "--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}", "--local-addr", "127.0.0.1",
            "--max-restarts", "0", "--monitor-interval", "0.5", "-m", module, str(request)]


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
                       "task": {"type": "worker", "index": index}})
