"""SST-2 as distributed by GLUE: a zip with ``SST-2/train.tsv``, ``SST-2/dev.tsv`` (and an unlabelled test.tsv).

Canonical archive: https://dl.fbaipublicfiles.com/glue/data/SST-2.zip. GLUE itself publishes no checksum for
it; the values pinned here are the ones two widely used loaders publish for that URL: SHA-256
d67e16fb55739c1b32cdce9877596db1c127dc322d93c082281f64057c16deaa and 7,439,277 bytes (Hugging Face
``datasets``, datasets/glue/dataset_infos.json) and MD5 9f81648d4199384278b86e315dac217c (PyTorch's
``torchtext``, torchtext/datasets/sst2.py). All three are checked.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from generator.bench.accuracy.datasets.download import ArchiveSpec, fetch

SST2 = ArchiveSpec(
    name="GLUE SST-2",
    url="https://dl.fbaipublicfiles.com/glue/data/SST-2.zip",
    filename="SST-2.zip",
    md5="9f81648d4199384278b86e315dac217c",
    sha256="d67e16fb55739c1b32cdce9877596db1c127dc322d93c082281f64057c16deaa",
    size=7439277,
    checksum_source="huggingface/datasets datasets/glue/dataset_infos.json (SHA-256, size) and "
    "pytorch/text torchtext/datasets/sst2.py (MD5)",
)


@dataclass(frozen=True)
class Sst2:
    """Sentences and labels (0 negative, 1 positive). GLUE's test split has no labels, so ``dev`` is the test."""

    train_sentences: tuple[str, ...]
    train_labels: tuple[int, ...]
    dev_sentences: tuple[str, ...]
    dev_labels: tuple[int, ...]


def _split(archive: zipfile.ZipFile, name: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    try:
        raw = archive.read(f"SST-2/{name}.tsv")
    except KeyError as error:
        raise ValueError(f"SST-2 archive has no SST-2/{name}.tsv") from error
    # The sentences contain quote characters that are not CSV quoting: read plain tab-separated fields.
    rows = csv.reader(io.StringIO(raw.decode("utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if header != ["sentence", "label"]:
        raise ValueError(f"SST-2 {name}.tsv: header {header!r}, expected ['sentence', 'label']")
    sentences, labels = [], []
    for line, row in enumerate(rows, start=2):
        if len(row) != 2 or row[1] not in {"0", "1"}:
            raise ValueError(f"SST-2 {name}.tsv line {line}: expected 'sentence<TAB>0|1', got {row!r}")
        sentences.append(row[0].strip())
        labels.append(int(row[1]))
    return tuple(sentences), tuple(labels)


def read_sst2(path: Path) -> Sst2:
    """Parse a (verified) ``SST-2.zip``."""
    with zipfile.ZipFile(path) as archive:
        train = _split(archive, "train")
        dev = _split(archive, "dev")
    return Sst2(train[0], train[1], dev[0], dev[1])


def load_sst2(cache: Path | None = None, spec: ArchiveSpec = SST2) -> Sst2:
    """Download (once), verify and read SST-2: 67,349 training and 872 dev sentences."""
    return read_sst2(fetch(spec, cache))
