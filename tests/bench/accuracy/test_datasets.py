"""The CIFAR-10 and SST-2 loaders on small archives in the real formats, made here; no network.

Each test builds a tiny archive with the exact layout of the published one (a gzip tarball of pickled batches
under cifar-10-batches-py/; a zip with SST-2/train.tsv and SST-2/dev.tsv), points a copy of the loader's spec at
it (file:// or a server on 127.0.0.1) with the tiny file's own checksums, and checks loading, caching and the
error on a checksum mismatch.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import io
import pickle
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from generator.bench.accuracy.datasets import (
    CIFAR10,
    SST2,
    ChecksumMismatch,
    DownloadError,
    fetch,
    load_cifar10,
    load_sst2,
)
from generator.bench.accuracy.datasets.download import cache_dir


def _sums(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    return {"md5": hashlib.md5(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def make_cifar(path: Path, per_batch: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    batches = {}
    with tarfile.open(path, "w:gz") as archive:
        def add(name: str, payload: dict) -> None:
            blob = pickle.dumps(payload)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))

        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
            labels = [int(x) for x in rng.integers(0, 10, size=per_batch)]
            batches[name] = data
            add(name, {b"batch_label": name.encode(), b"labels": labels, b"data": data, b"filenames": []})
        add("batches.meta", {b"label_names": [f"class{i}".encode() for i in range(10)], b"num_vis": 3072})
    return batches


def make_sst2(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("SST-2/train.tsv", 'sentence\tlabel\nit \'s a charming "journey" \t1\nbland and dull \t0\n')
        archive.writestr("SST-2/dev.tsv", "sentence\tlabel\nworth seeing\t1\n")
        archive.writestr("SST-2/test.tsv", "index\tsentence\n0\tunlabelled\n")


@pytest.fixture
def cifar(tmp_path):
    source = tmp_path / "upstream" / "cifar-10-python.tar.gz"
    source.parent.mkdir()
    batches = make_cifar(source)
    spec = dataclasses.replace(CIFAR10, url=source.as_uri(), md5=_sums(source)["md5"])
    return spec, source, batches


@pytest.fixture
def sst2(tmp_path):
    source = tmp_path / "upstream" / "SST-2.zip"
    source.parent.mkdir(exist_ok=True)
    make_sst2(source)
    sums = _sums(source)
    spec = dataclasses.replace(SST2, url=source.as_uri(), md5=sums["md5"], sha256=sums["sha256"], size=sums["size"])
    return spec, source


def test_published_specs_point_at_the_canonical_archives():
    assert CIFAR10.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert CIFAR10.md5 == "c58f30108f718f92721af3b95e74349a"
    assert SST2.url == "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"
    assert SST2.sha256 and SST2.md5 and SST2.size and SST2.checksum_source


def test_cifar_loads_all_batches_in_order(cifar, tmp_path):
    spec, _, batches = cifar
    data = load_cifar10(tmp_path / "cache", spec)
    assert data.x_train.shape == (20, 3, 32, 32) and data.x_train.dtype == np.uint8
    assert data.x_test.shape == (4, 3, 32, 32) and data.y_train.dtype == np.int64
    assert np.array_equal(data.x_train[:4].reshape(4, -1), batches["data_batch_1"])
    assert np.array_equal(data.x_test.reshape(4, -1), batches["test_batch"])
    assert data.label_names[:2] == ("class0", "class1")


def test_sst2_loads_train_and_dev_keeping_quotes(sst2, tmp_path):
    spec, _ = sst2
    data = load_sst2(tmp_path / "cache", spec)
    assert data.train_sentences == ("it 's a charming \"journey\"", "bland and dull")
    assert data.train_labels == (1, 0) and data.dev_labels == (1,)


def test_cache_is_used_without_the_network(sst2, tmp_path):
    spec, source = sst2
    first = fetch(spec, tmp_path / "cache")
    source.unlink()  # the "network" is gone
    assert fetch(spec, tmp_path / "cache") == first
    assert load_sst2(tmp_path / "cache", spec).dev_sentences == ("worth seeing",)
    assert not list((tmp_path / "cache").glob("*.part"))


def test_checksum_mismatch_is_a_clear_error_and_nothing_is_cached(cifar, tmp_path):
    spec, _, _ = cifar
    wrong = dataclasses.replace(spec, md5="0" * 32)
    with pytest.raises(ChecksumMismatch) as error:
        load_cifar10(tmp_path / "cache", wrong)
    message = str(error.value)
    assert "is not the published archive" in message and "expected " + "0" * 32 in message
    assert "cs.toronto.edu" in message  # where the expected value was published
    assert not any((tmp_path / "cache").iterdir())


def test_corrupted_cache_is_downloaded_again(sst2, tmp_path):
    spec, _ = sst2
    cached = fetch(spec, tmp_path / "cache")
    cached.write_bytes(b"truncated")
    assert fetch(spec, tmp_path / "cache").read_bytes() != b"truncated"


def test_download_failure_says_how_to_work_offline(sst2, tmp_path):
    spec, source = sst2
    source.unlink()
    with pytest.raises(DownloadError, match="copy SST-2.zip into"):
        fetch(spec, tmp_path / "cache")


def test_download_over_http_from_localhost(sst2, tmp_path):
    spec, source = sst2
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(source.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        served = dataclasses.replace(spec, url=f"http://127.0.0.1:{server.server_address[1]}/SST-2.zip")
        assert load_sst2(tmp_path / "cache", served).train_labels == (1, 0)
    finally:
        server.shutdown()
        server.server_close()


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DATA_CACHE", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"
    assert cache_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_spec_without_checksum_is_refused():
    with pytest.raises(ValueError, match="published checksum"):
        dataclasses.replace(SST2, md5=None, sha256=None)
