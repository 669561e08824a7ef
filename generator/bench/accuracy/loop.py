"""The training loop both frameworks run, written once: the frameworks differ only behind :class:`Trainer`.

Timing: ``elapsed_s`` is the wall time spent in training steps (data conversion, forward, backward, optimiser
update, and TensorFlow's one-off tracing of the step function), cumulative, evaluation excluded. Time to target is
the ``elapsed_s`` of the first epoch whose test accuracy reaches the target.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from generator.bench.accuracy.data import DigitsSplit, epoch_batches, steps_per_epoch
from generator.bench.accuracy.spec import TrainConfig, learning_rates


class Trainer(Protocol):
    def train_step(self, images: np.ndarray, labels: np.ndarray, learning_rate: float) -> float:
        """One optimiser step at ``learning_rate``; returns the batch's mean loss *before* the update."""

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Logits in inference mode (batch-norm running statistics)."""


@dataclass
class TrainingRecord:
    epochs: list[dict[str, float]] = field(default_factory=list)
    initial_loss: float | None = None
    final_test_accuracy: float | None = None
    time_to_target_s: float | None = None
    step_losses: list[float] = field(default_factory=list)  # only in probe mode
    data_sha256: str = ""  # of every training batch, in order, and the test set: equal in both frameworks


def accuracy(trainer: Trainer, split: DigitsSplit) -> float:
    logits = trainer.predict(split.x_test)
    return float(np.mean(np.argmax(logits, axis=1) == split.y_test))


def train(trainer: Trainer, split: DigitsSplit, cfg: TrainConfig, seed: int) -> TrainingRecord:
    rates = learning_rates(cfg, steps_per_epoch(len(split.y_train), cfg.batch_size))
    record = TrainingRecord()
    step, elapsed = 0, 0.0
    digest = hashlib.sha256()
    for epoch in range(1, cfg.epochs + 1):
        loss_sum, seen = 0.0, 0
        for images, labels in epoch_batches(split, cfg, seed, epoch):
            digest.update(images.tobytes())
            digest.update(labels.tobytes())
            start = time.perf_counter()
            loss = trainer.train_step(images, labels, float(rates[step]))
            elapsed += time.perf_counter() - start
            if not np.isfinite(loss):
                raise FloatingPointError(f"loss became {loss} at epoch {epoch}, step {step + 1}")
            if record.initial_loss is None:
                record.initial_loss = loss
            loss_sum += loss * len(labels)
            seen += len(labels)
            step += 1
        test_accuracy = accuracy(trainer, split)
        record.epochs.append(
            {"epoch": epoch, "train_loss": loss_sum / seen, "test_accuracy": test_accuracy, "elapsed_s": elapsed}
        )
        if record.time_to_target_s is None and test_accuracy >= cfg.target_accuracy:
            record.time_to_target_s = elapsed
    record.final_test_accuracy = record.epochs[-1]["test_accuracy"] if record.epochs else None
    digest.update(split.x_test.tobytes())
    digest.update(split.y_test.tobytes())
    record.data_sha256 = digest.hexdigest()
    return record


def probe(trainer: Trainer, split: DigitsSplit, cfg: TrainConfig, seed: int, steps: int) -> TrainingRecord:
    """The first ``steps`` losses of epoch 1 (for the parity test), with the schedule of a full run."""
    rates = learning_rates(cfg, steps_per_epoch(len(split.y_train), cfg.batch_size))
    record = TrainingRecord()
    for step, (images, labels) in enumerate(epoch_batches(split, cfg, seed, 1)):
        if step >= steps:
            break
        record.step_losses.append(trainer.train_step(images, labels, float(rates[step])))
    record.initial_loss = record.step_losses[0] if record.step_losses else None
    return record
