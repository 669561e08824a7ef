"""The distributed result's schema and plausibility rules: one broken result per rule, each caught where it is."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from generator.results import rules
from generator.results.load import load_results
from generator.results.schema import DistributedResult, ResultFile, ScalingKind
from tests.results.distributed_factory import run, standard_set


def _problems(result: DistributedResult) -> list[tuple[str, str, str]]:
    return [(rule.__name__, where, message) for rule in rules.DISTRIBUTED_RULES for where, message in rule(result)]


def _with(result: DistributedResult, section: str | None = None, **fields) -> DistributedResult:
    """A copy with some fields changed, unvalidated: what a hand-edited file would hold."""
    if section is None:
        return result.model_copy(update=fields)
    return result.model_copy(update={section: getattr(result, section).model_copy(update=fields)})


def test_the_harness_shaped_results_break_no_rule():
    results = standard_set() + [run(workers=2, status="failed"), run(workers=2, passed=False),
                                run(workers=2, status="failed", stage="startup")]
    assert {r.result_id: _problems(r) for r in results} == {r.result_id: [] for r in results}


STRONG = run(workers=2, scaling="strong")
BROKEN = {
    "global batch is not workers × per-worker": (
        _with(STRONG, "config", global_batch=6), "distributed_batches_consistent", "config.global_batch"),
    "weak run that splits the batch": (
        _with(STRONG, "config", scaling=ScalingKind.weak), "distributed_batches_consistent", "config.scaling"),
    "more threads than cores": (
        _with(STRONG, "config", threads_per_worker=2), "distributed_batches_consistent",
        "config.threads_per_worker"),
    "a repeat missing": (
        _with(STRONG, "timing", repeat_times_s=STRONG.timing.repeat_times_s[:2]),
        "distributed_timing_matches_config", "timing.repeat_times_s"),
    "a worker's times missing": (
        _with(STRONG, "timing", worker_repeat_times_s=STRONG.timing.worker_repeat_times_s[:1]),
        "distributed_timing_matches_config", "timing.worker_repeat_times_s"),
    "repeat time is not the slowest worker's": (
        _with(STRONG, "timing", worker_repeat_times_s=[[9.0, 9.0, 9.0], STRONG.timing.repeat_times_s]),
        "distributed_timing_matches_config", "timing.repeat_times_s"),
    "throughput typed by hand": (
        _with(STRONG, "metrics", throughput_samples_per_s=STRONG.metrics.throughput_samples_per_s * 2,
              throughput_ci95=(0.1, 1e9)), "distributed_throughput_consistent", "metrics.throughput_samples_per_s"),
    "interval without the median": (
        _with(STRONG, "metrics", throughput_ci95=(1e6, 2e6)), "distributed_throughput_consistent",
        "metrics.throughput_ci95"),
    "a check that says pass over its tolerance": (
        _with(STRONG, "equivalence", max_rel_diff=0.5), "distributed_equivalence_consistent", "equivalence.passed"),
    "a 1-worker run with a check": (
        _with(run(), equivalence=STRONG.equivalence), "distributed_equivalence_consistent", "equivalence"),
    "a placeholder version": (
        _with(STRONG, versions={"torch": "unknown"}), "distributed_versions_recorded", "versions.torch"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_each_rule_catches_its_broken_result(name):
    result, rule, where = BROKEN[name]
    found = [(r, w) for r, w, _ in _problems(result)]
    assert found[0] == (rule, where), found


@pytest.mark.parametrize("update, phrase", [
    ({"metrics": None}, "needs metrics and timing"),
    ({"equivalence": None}, "passed equivalence check"),
    ({"status": "failed"}, "needs a failure"),
])
def test_the_schema_refuses_inconsistent_status(update, phrase):
    document = STRONG.model_dump(mode="json") | update
    with pytest.raises(ValidationError, match=phrase):
        DistributedResult.model_validate(document)


def test_a_failed_check_cannot_be_an_ok_run():
    document = STRONG.model_dump(mode="json")
    document["equivalence"]["passed"] = False
    with pytest.raises(ValidationError, match="passed equivalence check"):
        DistributedResult.model_validate(document)


def test_files_load_through_the_union_and_report_line_numbers(tmp_path):
    folder = tmp_path / "cpu-synthetic"
    folder.mkdir()
    for result in standard_set():
        (folder / f"{result.result_id}.json").write_text(result.model_dump_json(indent=2))
    bad = _with(STRONG, "config", global_batch=6).model_copy(update={"result_id": "distributed.bad.synth"})
    (folder / "distributed.bad.synth.json").write_text(bad.model_dump_json(indent=2))
    loaded = load_results(tmp_path)
    assert len(loaded.distributed) == 12
    errors = [p for p in loaded.problems if p.severity == "error"]
    assert errors, "the broken file was accepted"
    problem = errors[0]
    assert all(p.path == errors[0].path for p in errors), [p.format() for p in errors]
    assert "config.global_batch" in problem.message and problem.line is not None and problem.line > 1
    for path in folder.glob("*.json"):
        ResultFile.model_validate({"result": json.loads(path.read_text())})


def test_the_frame_computes_speedup_and_efficiency_from_the_1_worker_run():
    frame = load_results_frame(standard_set())
    strong = frame[(frame.framework == "pytorch") & (frame.task == "image-classification")
                   & (frame.scaling == "strong")].iloc[0]
    # Synthetic: 1 worker × 8 in 2.0 s (4 samples/s), 2 workers × 4 in 2.6 s: 8/2.6 samples/s, same 2 cores.
    assert strong.speedup == pytest.approx((8 / 2.6) / 4)
    assert strong.scaling_efficiency == pytest.approx(strong.speedup)
    weak = frame[(frame.framework == "tensorflow") & (frame.task == "sentiment-analysis")
                 & (frame.scaling == "weak")].iloc[0]
    assert weak.speedup == pytest.approx((16 / 6.0) / (8 / 2.5))


def test_a_run_without_an_ok_baseline_has_no_efficiency():
    frame = load_results_frame([run(workers=2, scaling="strong"), run(status="failed")])
    assert frame.speedup.isna().all() and frame.scaling_efficiency.isna().all()


def load_results_frame(results):
    from generator.results.table import build_distributed_frame

    return build_distributed_frame(results)
