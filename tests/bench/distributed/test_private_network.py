"""TensorFlow's gRPC servers listen on every interface; a run's workers therefore share a network namespace of
their own where the machine allows it, and then nothing outside the run can reach their ports."""

from __future__ import annotations

import socket
import sys
import threading
import time

from generator.bench import environment
from generator.bench.distributed import launch
from generator.bench.distributed.runner import build_plan

SERVER = """
import socket, sys, time
s = socket.socket(); s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen()   # like TensorFlow's server: every interface
peer = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)  # reachable from inside the run
print("inside: connected", flush=True)
open(sys.argv[2], "w").write("listening")
time.sleep(30)
"""


def test_a_server_on_every_interface_is_reachable_inside_the_run_only(tmp_path):
    if not launch.private_network_available():
        # Then the run must not claim an isolation it does not have.
        assert all("namespace" not in c.launcher for c in build_plan("distributed-smoke", environment.capture_host()))
        return
    port = launch.free_ports(1)[0]
    marker = tmp_path / "listening"
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    outcome: list[launch.Launched] = []
    run = threading.Thread(target=lambda: outcome.append(launch.run_processes(
        [[sys.executable, str(script), str(port), str(marker)]], [{}], tmp_path, timeout_s=8, fail_fast=False,
        private_network=True)))
    run.start()
    deadline = time.monotonic() + 8
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()  # the server listens on every interface and was reached from inside its run
    with socket.socket() as probe:  # ... while from the host's network its port is closed
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    run.join(20)
    (launched,) = outcome
    assert "inside: connected" in launched.log_tail and launched.timed_out and not launched.leftover


def test_tensorflow_runs_say_whether_their_servers_were_isolated():
    plan = build_plan("distributed-smoke", environment.capture_host())
    tf = [c for c in plan if c.framework == "tensorflow"]
    torch = [c for c in plan if c.framework == "pytorch"]
    assert tf and torch and all("namespace" not in c.launcher for c in torch)  # gloo binds 127.0.0.1 itself
    isolated = launch.private_network_available()
    assert all(("network namespace of its own" in c.launcher) == isolated for c in tf)
