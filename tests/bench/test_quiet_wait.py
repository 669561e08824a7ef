"""Suites meant for the site wait for a job that just finished to wind down, instead of being flagged busy."""

from __future__ import annotations

import dataclasses
import io

from rich.console import Console

from generator.bench import cli, environment, methodology


def _host(load: float) -> environment.Host:
    host = environment.capture_host(["atlas", "bench"])
    return dataclasses.replace(host, load_at_start=(load, load, load))


def test_waits_until_the_load_falls_then_records_the_quiet_load(monkeypatch):
    busy = methodology.QUIET_LOAD_PER_CORE * _host(0).cpu_cores_logical + 0.5
    host = _host(busy)
    loads = iter([(busy, busy, busy), (0.2, 0.8, 1.0)])
    monkeypatch.setattr(cli.os, "getloadavg", lambda: next(loads))
    sleeps = []
    monkeypatch.setattr(cli.time, "sleep", sleeps.append)
    output = io.StringIO()
    host = cli._wait_for_quiet(host, 60, Console(file=output))
    assert not host.busy_at_start() and host.load_at_start[0] == 0.2
    assert len(sleeps) == 2 and "waiting up to 60 s" in output.getvalue()


def test_gives_up_after_the_wait_and_the_run_stays_flagged_busy(monkeypatch):
    busy = methodology.QUIET_LOAD_PER_CORE * _host(0).cpu_cores_logical + 0.5
    host = _host(busy)
    monkeypatch.setattr(cli.os, "getloadavg", lambda: (busy, busy, busy))
    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(cli.time, "sleep", lambda _s: None)
    assert cli._wait_for_quiet(host, 30, Console(file=io.StringIO())).busy_at_start()

