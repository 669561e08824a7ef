"""Synthetic accuracy results for the statistics and page tests, built through the real schema.

Every number is made up and says so (suite "synthetic-test", machine label "SYNTHETIC …"); they are written only
to temporary folders, never under data/results/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.results.schema import AccuracyResult, Environment, EpochRecord, Failure, FailureKind, Status

SYNTHETIC_MACHINE = "SYNTHETIC test machine (not a real measurement)"
START = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def environment(framework: str, **changes: Any) -> Environment:
    values: dict[str, Any] = dict(
        hostname_hash="synth01", machine_label=SYNTHETIC_MACHINE, os="Linux-synthetic", python="3.11.0",
        cpu_model="Synthetic CPU", cpu_cores_logical=2, memory_gb=8.0,
        framework_version="2.21.0" if framework == "tensorflow" else "2.13.0",
        git_commit="0123456789abcdef0123456789abcdef01234567", git_dirty=False, command="pytest",
        load_before=(0.1, 0.1, 0.1), load_after=(0.1, 0.1, 0.1), busy=False,
    )
    values.update(changes)
    return Environment(**values)


def accuracy_result(framework: str, seed: int, final: float, *, epochs: int = 3, config_id: str = "cfgsynth01",
                    initial_loss: float = 2.30, minutes: int = 0, status: Status = Status.ok,
                    dataset: str = "sklearn-digits", env: dict[str, Any] | None = None) -> AccuracyResult:
    """A run whose test accuracy climbs linearly to ``final`` (reaching 0.95 only if ``final`` does)."""
    records = [
        EpochRecord(epoch=e, train_loss=2.3 / (e + 1), test_accuracy=min(1.0, final * e / epochs),
                    elapsed_s=1.5 * e)
        for e in range(1, epochs + 1)
    ] if status is Status.ok else []
    reached = next((r.elapsed_s for r in records if r.test_accuracy >= 0.95), None)
    started = START + dt.timedelta(minutes=minutes + seed)
    return AccuracyResult(
        result_id=f"accuracy-digits-{framework}-seed{seed}-{config_id}-synthetic{minutes}",
        status=status,
        suite="synthetic-test",
        task="digits-accuracy",
        dataset=dataset,
        framework=framework,
        seed=seed,
        config={"config_id": config_id, "epochs": epochs, "batch_size": 32, "optimizer": "adam",
                "init_weights_sha256": f"w{seed}", "data_sha256": f"d{seed}"},
        started_at=started,
        finished_at=started + dt.timedelta(seconds=30),
        environment=environment(framework, **(env or {})),
        epochs=records,
        initial_loss=initial_loss if status is Status.ok else None,
        final_test_accuracy=records[-1].test_accuracy if records else None,
        target_accuracy=0.95,
        time_to_target_s=reached,
        failure=None if status is Status.ok else Failure(kind=FailureKind.crash, message="synthetic crash"),
    )


def paired_set(tf: list[float], pt: list[float], **options: Any) -> list[AccuracyResult]:
    return [accuracy_result("tensorflow", s, a, **options) for s, a in enumerate(tf)] + [
        accuracy_result("pytorch", s, a, **options) for s, a in enumerate(pt)]
