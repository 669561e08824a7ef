"""Suite plans: the smoke suite covers every code path; configurations get stable ids; filters narrow."""

from __future__ import annotations

import itertools

import pytest

from generator.bench import environment, methodology, plan
from generator.bench.workloads.base import TASK_PACKAGES

FAKE = "image-classification=tests.bench.fake_task"
ONLY_FAKE = plan.Filters(tasks=("image-classification",))


@pytest.fixture
def host() -> environment.Host:
    return environment.Host(hostname_hash="0" * 12, os="Linux", python="3.11", cpu_model="Test CPU",
                            cpu_cores_logical=2, cpu_cores_physical=2, memory_gb=8.0,
                            gpu=environment.Gpu("NVIDIA Test", "550.0", 9.0), git_commit="abc", git_dirty=False,
                            command="atlas bench", load_at_start=(0.0, 0.0, 0.0))


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("ATLAS_TASK_PACKAGES", FAKE)


def test_smoke_plan_covers_every_pair_of_mode_precision_and_phase(fake, host, monkeypatch):
    monkeypatch.setattr(environment, "cpu_supports_bf16", lambda: True)
    configs = plan.build_plan("smoke", "cpu", host, ONLY_FAKE)
    for framework, modes in methodology.MODES.items():
        runs = {(c.mode, c.precision, c.phase) for c in configs if c.framework == framework}
        for a, b in itertools.combinations(range(3), 2):
            axes = [modes, ("fp32", "bf16"), ("train", "inference")]
            for pair in itertools.product(axes[a], axes[b]):
                assert any((run[a], run[b]) == pair for run in runs), (framework, pair)


def test_smoke_plan_runs_every_task_in_each_of_its_phases_in_both_frameworks(host, monkeypatch):
    monkeypatch.setattr(environment, "cpu_supports_bf16", lambda: True)
    configs = plan.build_plan("smoke", "cpu", host)
    for task, package in TASK_PACKAGES.items():
        phases = __import__(f"{package}.common", fromlist=["PHASES"]).PHASES
        for framework, phase in itertools.product(plan.DEFAULT_FRAMEWORKS, phases):
            assert any(c.task == task and c.framework == framework and c.phase == phase for c in configs), \
                (task, framework, phase)


def test_bf16_is_planned_only_where_the_cpu_has_it(fake, host, monkeypatch):
    monkeypatch.setattr(environment, "cpu_supports_bf16", lambda: False)
    configs = plan.build_plan("standard", "cpu", host, ONLY_FAKE)
    assert configs and {c.precision for c in configs} == {"fp32"}


def test_configs_record_threads_layout_xla_and_tf32(fake, host):
    configs = plan.build_plan("standard", "cpu", host, ONLY_FAKE)
    assert {c.threads for c in configs} == {2} and {c.inter_op_threads for c in configs} == {1}
    assert all(c.xla == (c.framework == "tensorflow" and c.mode == "compiled") for c in configs)
    assert not any(c.tf32 for c in configs)
    assert not any(c.channels_last for c in configs)  # the fake task has no images
    gpu = plan.build_plan("full", "cuda", host, ONLY_FAKE)
    assert {c.precision for c in gpu} == {"fp32", "bf16", "fp16"}
    assert {c.tf32 for c in gpu} == {methodology.TF32}


def test_real_tasks_are_planned_with_their_suite_shapes(host):
    configs = plan.build_plan("standard", "cpu", host, plan.Filters(tasks=("image-classification",)))
    assert {c.shape["image_size"] for c in configs} == {224}
    assert all(c.channels_last for c in configs)
    detection = plan.build_plan("standard", "cpu", host, plan.Filters(tasks=("object-detection",)))
    assert {c.phase for c in detection} == {"inference"}


def test_keys_are_stable_distinct_and_valid_result_ids(fake, host):
    configs = plan.build_plan("standard", "cpu", host)
    keys = [plan.config_key(c) for c in configs]
    assert len(set(keys)) == len(keys) > 10
    assert keys == [plan.config_key(c) for c in plan.build_plan("standard", "cpu", host)]
    assert plan.config_key(configs[0].model_copy(update={"timeout_s": 1.0})) == keys[0]  # timeout is not identity
    assert plan.config_key(configs[0].model_copy(update={"threads": 1})) != keys[0]


def test_filters_narrow_the_plan(fake, host):
    filters = plan.Filters(tasks=("image-classification",), frameworks=("pytorch",), modes=("eager",),
                           precisions=("fp32",), phases=("inference",))
    configs = plan.build_plan("standard", "cpu", host, filters)
    assert {(c.framework, c.mode, c.precision, c.phase) for c in configs} == {("pytorch", "eager", "fp32", "inference")}
    assert {c.batch_size for c in configs} == {1, 8}


def test_every_task_of_the_contract_has_shapes_for_every_suite():
    from generator.bench import registry

    for task in TASK_PACKAGES:
        shapes = registry.load_common(task).SHAPES
        assert {suite.shapes or name for name, suite in methodology.SUITES.items()} <= set(shapes), task
