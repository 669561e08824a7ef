"""Real data sets for larger accuracy experiments, from their canonical archives, checksum-verified and cached.

The default suite trains on scikit-learn's bundled digits (no download). These loaders serve the experiments
the article's claims are about (ResNet on CIFAR-10, BERT on SST-2) wherever the network allows; each archive is
checked against its published checksum before anything in it is read.
"""

from generator.bench.accuracy.datasets.cifar10 import CIFAR10, Cifar10, load_cifar10
from generator.bench.accuracy.datasets.download import ArchiveSpec, ChecksumMismatch, DownloadError, fetch
from generator.bench.accuracy.datasets.sst2 import SST2, Sst2, load_sst2

__all__ = ["ArchiveSpec", "CIFAR10", "ChecksumMismatch", "Cifar10", "DownloadError", "SST2", "Sst2", "fetch",
           "load_cifar10", "load_sst2"]
