"""Measured verdicts: a claim's declared comparison evaluated against synthetic results, and the validation warning
when a claim's status disagrees with them everywhere in its scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.kb.models import Claim
from generator.kb.validate import main
from generator.results.load import load_results
from generator.site.verdicts import LARGE_MODEL_PARAMETERS, Outcome, claim_verdicts
from tests.results.result_factory import performance, write

from .tiny_kb import edit, line_of

NAMES = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}
CLAIM = "claims/pytorch-is-pythonic.yaml"


def write_training_pair(results_dir: Path, *, pytorch_step_s: float, tensorflow_step_s: float,
                        device: str = "cpu", parameters: int | None = None) -> Path:
    """One fp32 training measurement per framework (two modes each, so 'best of each' exists)."""
    for framework, step in (("pytorch", pytorch_step_s), ("tensorflow", tensorflow_step_s)):
        for mode, factor in (("eager", 1.0), ("compiled", 1.5)):  # compiled is slower here: best = eager
            result = performance("image-classification", framework, mode, "fp32", "train", 8,
                                 step_time_s=step * factor, device=device)
            if parameters is not None:
                metrics = result.metrics.model_copy(update={"parameter_count": parameters})
                result = result.model_copy(update={"metrics": metrics})
            write(results_dir, result)
    return results_dir


def verdict_of(results_dir: Path, **compares):
    claim = Claim(id="the-claim", quote="q", section="Performance and Speed", status="unverified", evidence="e",
                  measured_by=["image-classification"], compares=compares, last_reviewed="2026-11-01")
    return claim_verdicts(claim, load_results(results_dir), NAMES)


@pytest.mark.parametrize(
    ("pytorch_step_s", "tensorflow_step_s", "compares", "expected"),
    [
        (0.10, 0.20, {"favours": "pytorch"}, Outcome.holds),
        (0.10, 0.20, {"favours": "tensorflow"}, Outcome.does_not_hold),
        (0.100, 0.101, {"favours": "tensorflow"}, Outcome.too_close),  # the 95% intervals overlap
        (0.100, 0.101, {"within_percent": 10}, Outcome.holds),
        (0.10, 0.20, {"within_percent": 10}, Outcome.does_not_hold),
    ],
)
def test_each_outcome_comes_from_the_measured_intervals(tmp_path, pytorch_step_s, tensorflow_step_s, compares,
                                                       expected):
    results = write_training_pair(tmp_path, pytorch_step_s=pytorch_step_s, tensorflow_step_s=tensorflow_step_s)
    verdict = verdict_of(results, phase="train", **compares)
    (machine,) = verdict.machines
    assert machine.outcome is expected
    (task,) = machine.tasks
    assert {side.framework for side in task.sides} == {"pytorch", "tensorflow"}
    assert "best of each, batch 8" in task.detail and "×" in task.detail  # the numbers, in words


def test_a_claim_about_large_models_is_not_settled_by_small_ones_but_shows_them(tmp_path):
    results = write_training_pair(tmp_path, pytorch_step_s=0.10, tensorflow_step_s=0.20)
    verdict = verdict_of(results, phase="train", favours="tensorflow", scope={"scale": "large"})
    (machine,) = verdict.machines
    assert machine.outcome is Outcome.not_measured
    (task,) = machine.tasks
    assert not task.in_scope and task.outcome is Outcome.does_not_hold  # shown beside, not counted
    assert verdict.disagreement("unverified") is None and verdict.disagreement("supported") is None


def test_a_large_model_measurement_counts_for_a_large_scale_claim(tmp_path):
    results = write_training_pair(tmp_path, pytorch_step_s=0.10, tensorflow_step_s=0.20,
                                  parameters=LARGE_MODEL_PARAMETERS)
    verdict = verdict_of(results, phase="train", favours="tensorflow", scope={"scale": "large"})
    assert [machine.outcome for machine in verdict.machines] == [Outcome.does_not_hold]


def test_a_claim_about_gpus_is_not_settled_by_a_cpu(tmp_path):
    results = write_training_pair(tmp_path, pytorch_step_s=0.10, tensorflow_step_s=0.20)
    verdict = verdict_of(results, phase="train", favours="pytorch", scope={"devices": ["cuda"]})
    assert [machine.outcome for machine in verdict.machines] == [Outcome.not_measured]


def test_nothing_measured_for_the_phase_is_not_measured(tmp_path):
    results = write_training_pair(tmp_path, pytorch_step_s=0.10, tensorflow_step_s=0.20)
    verdict = verdict_of(results, phase="inference", favours="pytorch")
    assert [task.outcome for task in verdict.machines[0].tasks] == [Outcome.not_measured]


def test_validate_warns_when_the_status_contradicts_every_machine_and_says_which_to_change(kb_dir, capsys):
    # The tiny claim says "supported"; declare that TensorFlow is faster, measure PyTorch twice as fast.
    edit(kb_dir, CLAIM, "within_percent: 50", "favours: tensorflow")
    write_training_pair(kb_dir / "results", pytorch_step_s=0.10, tensorflow_step_s=0.20)
    assert main(["--data", str(kb_dir)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    line = line_of(kb_dir, CLAIM, "status:")
    expected = (f"data/{CLAIM}:{line}: warning: status 'supported' disagrees with the measured verdict everywhere "
                "in its scope (does not hold on ")
    assert expected in out, out
    assert "change the status to 'contradicted'" in out


def test_an_explanation_beside_the_verdict_silences_the_warning(kb_dir, capsys):
    edit(kb_dir, CLAIM, "within_percent: 50",
         "favours: tensorflow\n  why_status_differs: Measured on one CPU only; GPU results are pending.")
    write_training_pair(kb_dir / "results", pytorch_step_s=0.10, tensorflow_step_s=0.20)
    main(["--data", str(kb_dir)])
    assert "disagrees with the measured verdict" not in capsys.readouterr().out


def test_a_status_that_agrees_is_not_flagged(kb_dir, capsys):
    edit(kb_dir, CLAIM, "within_percent: 50", "favours: pytorch")
    write_training_pair(kb_dir / "results", pytorch_step_s=0.10, tensorflow_step_s=0.20)
    main(["--data", str(kb_dir)])
    assert capsys.readouterr().out.splitlines()[-1].endswith("0 errors, 0 warnings")


def test_measurements_without_a_declared_comparison_are_flagged(kb_dir, capsys):
    edit(kb_dir, CLAIM, "compares:\n  metric: throughput\n  phase: train\n  within_percent: 50\n", "")
    main(["--data", str(kb_dir)])
    out = capsys.readouterr().out
    assert f"data/{CLAIM}:{line_of(kb_dir, CLAIM, 'measured_by')}: warning: the claim names measurements but" in out


@pytest.mark.parametrize(
    ("compares", "message"),
    [
        ("{metric: throughput, favours: pytorch}", "a throughput comparison needs 'phase: train'"),
        ("{metric: throughput, phase: train}", "give exactly one of 'favours'"),
        ("{metric: throughput, phase: train, favours: pytorch, within_percent: 5}", "give exactly one of"),
        ("{metric: throughput, phase: train, favours: jax}", "'jax' is not a benchmarked framework"),
    ],
)
def test_a_malformed_comparison_is_an_error_on_its_line(kb_dir, capsys, compares, message):
    edit(kb_dir, CLAIM, "compares:\n  metric: throughput\n  phase: train\n  within_percent: 50", f"compares: {compares}")
    assert main(["--data", str(kb_dir)]) == 1
    out = capsys.readouterr().out
    assert f"data/{CLAIM}:{line_of(kb_dir, CLAIM, 'compares')}:" in out and message in out, out
