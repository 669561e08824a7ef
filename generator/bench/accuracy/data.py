"""The digits data, its split, its order and its augmentation: NumPy only, computed the same way in both workers.

Both framework processes call :func:`epoch_batches` with the same seed and get byte-identical batches (NumPy's
PCG64 stream is the same on every platform). The training loop hashes every batch it trains on, so each result
records what it saw and the suite checks that the two frameworks' digests are equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from generator.bench.accuracy.spec import TrainConfig


@dataclass(frozen=True)
class DigitsSplit:
    """NCHW float32 images in [0, 1] and int64 labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@lru_cache(maxsize=4)
def load_digits_split(test_fraction: float = 0.2, split_seed: int = 0) -> DigitsSplit:
    """scikit-learn's bundled 1,797 8×8 digits (no download), split once, stratified by class."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # pixel values are 0..16
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=split_seed
    )
    return DigitsSplit(
        np.ascontiguousarray(x_train), np.ascontiguousarray(y_train), np.ascontiguousarray(x_test), y_test
    )


def random_shift(images: np.ndarray, rng: np.random.Generator, max_shift: int) -> np.ndarray:
    """Shift each NCHW image by its own random (dy, dx) in [-max_shift, max_shift], filling with zeros."""
    if max_shift == 0:
        return images.copy()
    n, _, height, width = images.shape
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    padded = np.pad(images, ((0, 0), (0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    out = np.empty_like(images)
    for i, (dy, dx) in enumerate(shifts):
        top, left = max_shift - dy, max_shift - dx
        out[i] = padded[i, :, top : top + height, left : left + width]
    return out


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    return -(-n_train // batch_size)  # the last, smaller batch is kept


def epoch_batches(
    split: DigitsSplit, cfg: TrainConfig, seed: int, epoch: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch's shuffled, augmented batches; the stream depends only on (seed, epoch)."""
    rng = np.random.default_rng([seed, epoch, 0xD1617])
    order = rng.permutation(len(split.y_train))
    images = random_shift(split.x_train[order], rng, cfg.max_shift_px)
    labels = split.y_train[order]
    for start in range(0, len(order), cfg.batch_size):
        yield images[start : start + cfg.batch_size], labels[start : start + cfg.batch_size]
