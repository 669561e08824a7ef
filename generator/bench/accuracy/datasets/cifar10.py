"""CIFAR-10, python version: the tarball of pickled batches from its authors' page.

Canonical archive: https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz, whose MD5
c58f30108f718f92721af3b95e74349a is published on https://www.cs.toronto.edu/~kriz/cifar.html. The batches are
Python pickles; they are only unpickled from an archive that passed that check.
"""

from __future__ import annotations

import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.bench.accuracy.datasets.download import ArchiveSpec, fetch

CIFAR10 = ArchiveSpec(
    name="CIFAR-10 (python)",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    filename="cifar-10-python.tar.gz",
    md5="c58f30108f718f92721af3b95e74349a",
    checksum_source="https://www.cs.toronto.edu/~kriz/cifar.html",
)
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"


@dataclass(frozen=True)
class Cifar10:
    """uint8 images NCHW (N, 3, 32, 32), int64 labels 0–9, and the class names."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    label_names: tuple[str, ...]


def _batch(archive: tarfile.TarFile, name: str) -> tuple[np.ndarray, np.ndarray]:
    member = archive.extractfile(f"{FOLDER}/{name}")
    if member is None:
        raise ValueError(f"CIFAR-10 archive has no {FOLDER}/{name}")
    entry = pickle.load(member, encoding="bytes")  # noqa: S301 - only from a checksum-verified archive
    data = np.asarray(entry[b"data"], dtype=np.uint8)
    labels = np.asarray(entry[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"CIFAR-10 {name}: unexpected data shape {data.shape} for {len(labels)} labels")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar10(path: Path) -> Cifar10:
    """Parse a (verified) ``cifar-10-python.tar.gz``."""
    with tarfile.open(path, "r:gz") as archive:
        train = [_batch(archive, name) for name in TRAIN_BATCHES]
        x_test, y_test = _batch(archive, TEST_BATCH)
        meta_file = archive.extractfile(f"{FOLDER}/batches.meta")
        names: tuple[str, ...] = ()
        if meta_file is not None:
            meta = pickle.load(meta_file, encoding="bytes")  # noqa: S301 - verified archive
            names = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in meta[b"label_names"])
    return Cifar10(
        np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]), x_test, y_test, names
    )


def load_cifar10(cache: Path | None = None, spec: ArchiveSpec = CIFAR10) -> Cifar10:
    """Download (once), verify and read CIFAR-10: 50,000 training and 10,000 test images."""
    return read_cifar10(fetch(spec, cache))
