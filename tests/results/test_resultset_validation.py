"""Result files are checked like the YAML: one case per rule, each rejected with `path:line: field: message`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.problems import Severity
from generator.results.load import load_results, validate_results

from .result_factory import document, failed, performance, write

Doc = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value

    return change


def _drop(path: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        del target[last]

    return change


def _scale_metric(name: str, factor: float) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        doc["metrics"][name] *= factor

    return change


def _cuda_without_gpu(doc: Doc) -> None:
    doc["config"]["device"] = "cuda"
    doc["environment"]["gpu_model"] = None


def _swap_percentiles(doc: Doc) -> None:
    metrics = doc["metrics"]
    metrics["latency_ms_p50"], metrics["latency_ms_p99"] = metrics["latency_ms_p99"], metrics["latency_ms_p50"]


def _shift_ci(doc: Doc) -> None:
    throughput = doc["metrics"]["throughput_samples_per_s"]
    doc["metrics"]["throughput_ci95"] = [throughput * 1.1, throughput * 1.2]


def _machine_peak(precision: str = "fp32", threads: int = 2, witness_scale: float = 1.0) -> Callable[[Doc], None]:
    """A valid machine peak (the run's own calibration the one witness), then one field made wrong."""
    def change(doc: Doc) -> None:
        own = dict(doc["calibration"], peak_flops_per_s=doc["calibration"]["peak_flops_per_s"] * witness_scale)
        doc["machine_peak"] = {"precision": precision, "threads": threads, "peak_flops_per_s": own["peak_flops_per_s"],
                               "source": own["framework"], "witnesses": [own], "theoretical_basis": "not derived"}
    return change


def _machine_peak_not_highest(doc: Doc) -> None:
    _machine_peak()(doc)
    doc["machine_peak"]["peak_flops_per_s"] *= 2


# (case id, change to a valid batch-1 inference document, field the message must name, words it must contain)
CASES: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("unknown-field", _set("config.turbo", True), "config.turbo", "unknown field"),
    ("missing-field", _drop("environment.cpu_model"), "environment.cpu_model", "missing required field"),
    ("wrong-type", _set("config.batch_size", "eight"), "config.batch_size", "valid integer"),
    ("unknown-task", _set("config.task", "speech-recognition"), "config.task", "image-classification"),
    ("unknown-framework", _set("config.framework", "jax"), "config.framework", "tensorflow"),
    ("bad-enum", _set("config.mode", "turbo"), "config.mode", "eager"),
    ("non-positive-throughput", _set("metrics.throughput_samples_per_s", 0), "metrics.throughput_samples_per_s",
     "greater than 0"),
    ("infinite-throughput", _set("metrics.throughput_samples_per_s", float("inf")),
     "metrics.throughput_samples_per_s", "finite"),
    ("utilisation-above-one", _set("metrics.utilisation", 1.7), "metrics.utilisation", "less than or equal to 1"),
    ("utilisation-not-from-calibration", _scale_metric("utilisation", 0.5), "metrics.utilisation",
     "calibration.peak_flops_per_s"),
    ("utilisation-without-calibration", _set("calibration", None), "calibration", "without the calibration"),
    ("utilisation-without-machine-peak", _set("metrics.utilisation_denominator", "machine-peak"), "machine_peak",
     "no machine_peak"),
    ("machine-peak-not-highest-witness", _machine_peak_not_highest, "machine_peak", "highest witness"),
    ("machine-peak-other-precision", _machine_peak(precision="bf16"), "machine_peak.precision",
     "the run's precision"),
    ("machine-peak-fewer-threads", _machine_peak(threads=1), "machine_peak.threads", "all the cores"),
    ("machine-peak-without-own-calibration", _machine_peak(witness_scale=0.5), "machine_peak.witnesses",
     "own calibration"),
    ("achieved-flops-inconsistent", _scale_metric("achieved_flops_per_s", 2), "metrics.achieved_flops_per_s",
     "flops_per_sample × throughput"),
    ("placeholder-environment", _set("environment.cpu_model", "unknown"), "environment.cpu_model", "placeholder"),
    ("gpu-run-without-gpu", _cuda_without_gpu, "environment.gpu_model", "GPU"),
    ("bad-git-commit", _set("environment.git_commit", "main"), "environment.git_commit", "git commit hash"),
    ("future-date", _set("finished_at", "2999-01-01T00:00:00Z"), "finished_at", "in the future"),
    ("percentiles-out-of-order", _swap_percentiles, "metrics.latency_ms_p90", "p50 ≤ p90 ≤ p99"),
    ("some-percentiles-missing", _set("metrics.latency_ms_p99", None), "metrics.latency_ms_p50", "all three"),
    ("batch1-without-latency", lambda d: d["metrics"].update(latency_ms_p50=None, latency_ms_p90=None,
                                                              latency_ms_p99=None),
     "metrics.latency_ms_p50", "batch-1 run must record"),
    ("ci-without-median", _shift_ci, "metrics.throughput_ci95", "does not contain the median"),
    ("repeats-missing", lambda d: d["timing"]["repeat_times_s"].pop(), "timing.repeat_times_s",
     "config.repeats"),
    ("step-times-missing", lambda d: d["timing"]["step_times_s"].pop(), "timing.step_times_s",
     "repeats × measured_steps"),
    ("throughput-not-from-timing", _scale_metric("throughput_samples_per_s", 3), "metrics.throughput_samples_per_s",
     "median step time"),
    ("step-time-not-from-timing", _scale_metric("step_time_s_median", 2), "metrics.step_time_s_median",
     "median repeat time"),
    ("clock-not-synchronised", _set("timing.synchronised", False), "timing.synchronised", "synchronising"),
    ("calibrated-in-other-framework", _set("calibration.framework", "tensorflow"), "calibration.framework",
     "same framework"),
    ("ok-without-metrics", _set("metrics", None), "", "status 'ok' needs metrics"),
    ("result-id-not-file-name", _set("result_id", "another-name-entirely"), "result_id", "file name"),
    ("unknown-kind", _set("kind", "energy"), "kind", "'performance', 'accuracy', 'deployment' or 'distributed'"),
]


def _valid() -> Doc:
    return document(performance(batch_size=1, result_id="synthetic-validation-case"))


def test_the_base_document_is_valid(tmp_path):
    write(tmp_path, _valid())
    assert validate_results(tmp_path) == []


def test_a_result_dividing_by_its_machine_peak_is_valid(tmp_path):
    doc = _valid()
    _machine_peak()(doc)
    doc["metrics"]["utilisation_denominator"] = "machine-peak"
    write(tmp_path, doc)
    assert validate_results(tmp_path) == []


@pytest.mark.parametrize(("change", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_rejects_its_case_with_a_clear_message(tmp_path, change, field, words):
    doc = _valid()
    change(doc)
    path = tmp_path / "synthetic" / "synthetic-validation-case.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")

    loaded = load_results(tmp_path)
    errors = [p for p in loaded.problems if p.severity is Severity.error]

    assert loaded.results == [] and loaded.frame.empty, "an invalid result must never reach the site"
    assert errors, "the file was accepted"
    formatted = "\n".join(p.format() for p in errors)
    assert any(words in p.message for p in errors), formatted
    if field:
        assert any(p.message.startswith(f"{field}: ") for p in errors), formatted
    assert all(p.path.endswith("synthetic-validation-case.json") for p in errors)
    assert "Traceback" not in formatted


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("syntax", b'{"kind": "performance",\n  "result_id": }', "invalid JSON"),
        ("empty", b"  \n", "empty file"),
        ("not-utf8", b'{"kind": "performance", "machine": "\xff\xfe"}', "not UTF-8"),
        ("top-level-list", b"[1, 2, 3]", "not a JSON object"),
        ("duplicate-key", b'{"kind": "performance", "kind": "accuracy"}', "duplicate key 'kind'"),
    ],
)
def test_unreadable_files_are_reported_not_raised(tmp_path, name, content, words):
    (tmp_path / f"synthetic-{name}.json").write_bytes(content)
    problems = validate_results(tmp_path)
    assert len(problems) == 1 and words in problems[0].message, problems
    assert problems[0].severity is Severity.error


def test_errors_point_at_the_line_of_the_field(tmp_path):
    doc = _valid()
    doc["config"]["task"] = "speech-recognition"
    path = write(tmp_path, doc)
    [problem] = validate_results(tmp_path)
    expected = next(n for n, line in enumerate(path.read_text().splitlines(), 1) if '"task": "speech' in line)
    assert problem.line == expected
    assert problem.format().startswith(f"{problem.path}:{expected}: config.task: ")


def test_syntax_errors_carry_the_parser_line(tmp_path):
    (tmp_path / "synthetic-broken.json").write_text('{\n  "kind": "performance",\n  "result_id": \n}')
    [problem] = validate_results(tmp_path)
    assert problem.line == 4


def test_two_files_with_one_result_id_are_an_error(tmp_path):
    result = performance(result_id="synthetic-twice")
    write(tmp_path, result)
    other = tmp_path / "elsewhere" / "synthetic-twice.json"
    other.parent.mkdir()
    other.write_text(json.dumps(document(result)))
    problems = validate_results(tmp_path)
    assert any("also used by" in p.message for p in problems), problems


def test_busy_runs_are_kept_out_of_the_comparisons_with_a_warning(tmp_path):
    write(tmp_path, performance(busy=True, result_id="synthetic-busy"))
    write(tmp_path, performance(framework="tensorflow"))
    loaded = load_results(tmp_path)
    assert [r.result_id for r in loaded.busy] == ["synthetic-busy"]
    assert "synthetic-busy" not in set(loaded.frame["result_id"])
    assert [p.severity for p in loaded.problems] == [Severity.warning]
    assert "synthetic-busy" in set(load_results(tmp_path, include_busy=True).frame["result_id"])


def test_failed_runs_are_valid_and_listed_with_their_reason(tmp_path):
    write(tmp_path, failed(kind="timeout", message="synthetic: exceeded 900 s"))
    loaded = load_results(tmp_path)
    assert loaded.problems == []
    [run] = loaded.failed
    assert run.failure.kind.value == "timeout" and loaded.frame.empty


def test_missing_results_folder_means_no_results(tmp_path):
    loaded = load_results(tmp_path / "absent")
    assert loaded.results == [] and loaded.problems == [] and loaded.frame.empty


def test_smoke_suite_results_are_valid_but_never_compared(tmp_path):
    smoke = performance(result_id="synthetic-smoke-run")
    document_ = document(smoke)
    document_["config"]["suite"] = "smoke"
    write(tmp_path, document_)
    loaded = load_results(tmp_path)
    assert loaded.problems == [] and [r.result_id for r in loaded.results] == ["synthetic-smoke-run"]
    assert loaded.frame.empty
