"""Copying ResNet-50 weights between the PyTorch and Keras models through the canonical NumPy state dict.

Canonical names and layouts are torchvision's ``resnet50`` state dict, so a torchvision checkpoint loads into
either model. The helpers are the task-independent ones of :mod:`generator.bench.workloads.porting`.
"""

from generator.bench.workloads.porting import IGNORED_SUFFIXES, check_complete, load, port, save  # noqa: F401
