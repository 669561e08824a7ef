"""Result identity: configuration + framework and runtime versions + machine. ``--resume`` skips only an identical
identity, so a new framework version or another machine adds results instead of being skipped (issue 12)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from generator.bench import environment, runner
from generator.bench.runner import SuiteRunner
from generator.results.identity import run_identity, runtime_versions
from generator.results.schema import PerformanceResult
from tests.bench.fake_runs import CPUINFO, FakeRuns, config, host
from tests.results.result_factory import performance


def test_identity_ignores_the_timeout_and_changes_with_every_other_part():
    base = run_identity(config(), runtime_versions("2.13.0", "3.11.7"), "machine A")
    assert run_identity(config().model_copy(update={"timeout_s": 1.0}), runtime_versions("2.13.0", "3.11.7"),
                        "machine A") == base
    assert run_identity(config(batch_size=1), runtime_versions("2.13.0", "3.11.7"), "machine A") != base
    assert run_identity(config(), runtime_versions("2.14.0", "3.11.7"), "machine A") != base
    assert run_identity(config(), runtime_versions("2.13.0", "3.12.1"), "machine A") != base
    assert run_identity(config(), runtime_versions("2.13.0", "3.11.7", "550.1"), "machine A") != base
    assert run_identity(config(), runtime_versions("2.13.0", "3.11.7"), "machine B") != base


def test_a_new_framework_version_adds_results_and_resume_skips_only_the_identical_identity(tmp_path, monkeypatch):
    plan = [config(1), config(8)]
    runs = FakeRuns(monkeypatch, "2.13.0")
    first = SuiteRunner(tmp_path, host()).run(plan, resume=True)
    assert runs.ran == [1, 8] and len(first.written) == 2

    again = SuiteRunner(tmp_path, host()).run(plan, resume=True)
    assert runs.ran == [1, 8] and len(again.kept) == 2 and not again.written  # identical identity: skipped

    runs.version = "2.14.0"
    upgraded = SuiteRunner(tmp_path, host()).run(plan, resume=True)
    assert runs.ran == [1, 8, 1, 8] and len(upgraded.written) == 2 and not upgraded.kept
    files = sorted(p.name for p in tmp_path.rglob("*.json"))
    assert len(files) == 4  # the old version's results stay beside the new ones
    assert sum(".2-14-0." in name for name in files) == 2 and sum(".2-13-0." in name for name in files) == 2


def test_a_new_python_adds_results_too(tmp_path, monkeypatch):
    runs = FakeRuns(monkeypatch, "2.13.0")
    SuiteRunner(tmp_path, host()).run([config()], resume=True)
    SuiteRunner(tmp_path, host(python="3.12.1")).run([config()], resume=True)
    assert runs.ran == [8, 8] and len(list(tmp_path.rglob("*.json"))) == 2


def test_a_different_cpu_sold_under_the_same_name_is_another_machine(tmp_path, monkeypatch):
    older_generation = CPUINFO.replace("cpu family\t: 26", "cpu family\t: 25").replace(" avx512_bf16", "")
    assert host().machine_label("cpu") != host(older_generation).machine_label("cpu")
    assert host().machine_slug("cpu") != host(older_generation).machine_slug("cpu")
    assert "AMD EPYC" in host().machine_label("cpu") and "2-core" in host().machine_label("cpu")

    runs = FakeRuns(monkeypatch, "2.13.0")
    SuiteRunner(tmp_path, host()).run([config()], resume=True)
    SuiteRunner(tmp_path, host(older_generation)).run([config()], resume=True)
    assert runs.ran == [8, 8] and len({p.parent for p in tmp_path.rglob("*.json")}) == 2


def test_flags_alone_tell_two_cpus_apart():
    hidden_avx512 = CPUINFO.replace(" avx512f avx512_bf16", "")
    assert environment.cpu_identity(hidden_avx512).flags_digest != environment.cpu_identity(CPUINFO).flags_digest
    assert host(hidden_avx512).machine_label("cpu") != host().machine_label("cpu")


def test_cpu_identity_is_read_from_cpuinfo_and_missing_fields_stay_missing():
    cpu = environment.cpu_identity(CPUINFO)
    assert (cpu.vendor, cpu.family, cpu.model, cpu.stepping) == ("AuthenticAMD", 26, 2, 1)
    assert len(cpu.flags_digest) == 12
    assert environment.cpu_identity("") == environment.CpuIdentity(None, None, None, None, None)


def test_results_record_the_cpu_identity(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "installed_version", lambda framework: "2.13.0")
    env = SuiteRunner(tmp_path, host())._environment(config(), None, (0.0,) * 3, (0.0,) * 3, 0.0)
    assert (env.cpu_vendor, env.cpu_family, env.cpu_model_number, env.cpu_stepping) == ("AuthenticAMD", 26, 2, 1)
    assert env.cpu_flags_digest == host().cpu.flags_digest


def test_a_retried_failure_replaces_its_own_file(tmp_path, monkeypatch):
    runs = FakeRuns(monkeypatch, "2.13.0")
    suite = SuiteRunner(tmp_path, host())
    path = suite.result_path(config())
    document = json.loads(performance().model_dump_json())
    document |= {"status": "failed", "metrics": None, "timing": None, "failure": {"kind": "crash", "message": "boom"}}
    document["environment"] |= {"framework_version": "2.13.0", "python": "3.11.7",
                                "machine_label": host().machine_label("cpu")}
    path.parent.mkdir(parents=True)
    path.write_text(PerformanceResult.model_validate(document).model_dump_json())
    report = SuiteRunner(tmp_path, host()).run([config()], resume=True, retry_failed=True)
    assert runs.ran == [8] and [p for p, _ in report.written] == [path]
    assert json.loads(path.read_text())["status"] == "ok" and len(list(tmp_path.rglob("*.json"))) == 1


def test_the_recorded_results_keep_their_identity_and_are_not_taken_for_this_host(monkeypatch):
    """The results under data/results/ predate CPU identities: they load, and their identity is stable."""
    folder = Path(__file__).resolve().parents[2] / "data" / "results"
    recorded = [PerformanceResult.model_validate_json(p.read_text()) for p in folder.rglob("*.json")
                if json.loads(p.read_text()).get("kind") == "performance"]
    assert recorded
    identities = {runner.identity_of(result) for result in recorded}
    assert len(identities) == len(recorded)
    monkeypatch.setattr(runner, "installed_version", lambda framework: recorded[0].environment.framework_version)
    this_host = dataclasses.replace(host(), python=recorded[0].environment.python)
    assert SuiteRunner(folder, this_host).planned_identity(recorded[0].config) not in identities


def test_accuracy_results_record_the_cpu_identity_too():
    from generator.bench.accuracy.runner import environment as accuracy_environment

    env = accuracy_environment(host(), None, (0.0,) * 3, (0.0,) * 3, busy=False)
    assert (env.cpu_family, env.cpu_model_number, env.cpu_flags_digest) == (26, 2, host().cpu.flags_digest)
    assert env.machine_label == host().machine_label("cpu")
