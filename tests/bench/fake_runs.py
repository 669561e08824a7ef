"""Fake runs for the tests of result identity and of the results pull request: the real SuiteRunner, with the
worker subprocesses replaced by synthetic results (made-up numbers, never written under data/results/)."""

from __future__ import annotations

import pytest

from generator.bench import environment, runner
from generator.bench.runner import SuiteRunner
from generator.results.schema import PerformanceResult, RunConfig
from tests.results.result_factory import performance

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
model\t\t: 2
model name\t: AMD EPYC
stepping\t: 1
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16
"""


def host(cpuinfo: str = CPUINFO, python: str = "3.11.7") -> environment.Host:
    return environment.Host(hostname_hash="0" * 12, os="Linux", python=python, cpu_model="AMD EPYC",
                            cpu_cores_logical=2, cpu_cores_physical=2, memory_gb=8.0, gpu=None, git_commit="abc",
                            git_dirty=False, command="atlas bench", load_at_start=(0.0, 0.0, 0.0),
                            cpu=environment.cpu_identity(cpuinfo))


def config(batch_size: int = 8) -> RunConfig:
    return performance(batch_size=batch_size).config


class FakeRuns:
    """Stands in for the worker subprocesses: every run "measures" a synthetic result stamped with this host and
    the framework version installed at the time, as the real runner's environment capture does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, version: str) -> None:
        self.version, self.ran = version, []
        monkeypatch.setattr(runner, "installed_version", lambda framework: self.version)
        monkeypatch.setattr(SuiteRunner, "run_one", lambda suite, config, result_id: self.measure(suite, config,
                                                                                                   result_id))

    def measure(self, suite: SuiteRunner, config: RunConfig, result_id: str) -> PerformanceResult:
        self.ran.append(config.batch_size)
        synthetic = performance(batch_size=config.batch_size)
        env = synthetic.environment.model_copy(update={
            "framework_version": self.version, "python": suite.host.python,
            "machine_label": suite.host.machine_label(config.device)})
        return synthetic.model_copy(update={"result_id": result_id, "config": config, "environment": env})
