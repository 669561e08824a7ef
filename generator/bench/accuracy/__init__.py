"""Accuracy parity: do TensorFlow and PyTorch reach the same accuracy when everything else is equal?

The same small ResNet is trained in both frameworks from the same initial weights (drawn once in NumPy and ported
through the canonical state dict), on the same digits in the same order with the same NumPy augmentation, with the
same loss, optimiser, learning-rate schedule and precision, for several seeds. Each framework runs in its own
subprocess. :mod:`.stats` compares the outcomes (framework-free, for the site and the fact-check).

Modules: ``spec`` (the settings held equal, initial weights), ``data`` (split, order, augmentation), ``port``
(canonical weights), ``torch``/``tensorflow`` (the two implementations), ``loop`` (the training loop, written
once), ``worker`` (one subprocess), ``runner`` (:func:`run_suite`), ``stats``, ``datasets`` (CIFAR-10 and SST-2
loaders for larger experiments).
"""

from __future__ import annotations

from pathlib import Path


def run_suite(results_dir: Path, frameworks: list[str] | None = None, seeds: int | None = None,
              epochs: int | None = None, resume: bool = False, **options: object) -> int:
    """Run the accuracy suite; see :func:`generator.bench.accuracy.runner.run_suite`."""
    from generator.bench.accuracy.runner import run_suite as _run_suite

    return _run_suite(results_dir, frameworks, seeds, epochs, resume, **options)  # type: ignore[arg-type]


__all__ = ["run_suite"]
