"""ResNet-50 v1.5 in ``torch.nn``, laid out and named exactly as torchvision's ``resnet50``.

torchvision is not a dependency, so the network is written here; its ``state_dict`` names are the canonical
ones (``conv1.weight``, ``layer1.0.conv2.weight``, ``layer1.0.downsample.0.weight``, ``fc.bias``, …), which
lets a torchvision checkpoint load unchanged. The module-level functions after the model are task-independent
``torch.nn`` helpers that the BERT module reuses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.bench.workloads import flops
from generator.bench.workloads.porting import IGNORED_SUFFIXES, check_complete
from generator.bench.workloads.resnet50.common import BN_EPSILON, BN_MOMENTUM_TORCH, EXPANSION, stage_plan

FRAMEWORK = "pytorch"


def _batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPSILON, momentum=BN_MOMENTUM_TORCH)


class Bottleneck(nn.Module):
    """1×1 reduce → 3×3 (carries the stride: "v1.5") → 1×1 expand, plus the shortcut, then ReLU."""

    def __init__(self, in_channels: int, inner: int, stride: int):
        super().__init__()
        out_channels = inner * EXPANSION
        self.conv1 = nn.Conv2d(in_channels, inner, 1, bias=False)
        self.bn1 = _batch_norm(inner)
        self.conv2 = nn.Conv2d(inner, inner, 3, stride=stride, padding=1, bias=False)
        self.bn2 = _batch_norm(inner)
        self.conv3 = nn.Conv2d(inner, out_channels, 1, bias=False)
        self.bn3 = _batch_norm(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), _batch_norm(out_channels)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        width = shape["width"]
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = _batch_norm(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = width
        for index, (blocks, inner, stride) in enumerate(stage_plan(shape), start=1):
            stage = []
            for block in range(blocks):
                stage.append(Bottleneck(channels, inner, stride if block == 0 else 1))
                channels = inner * EXPANSION
            self.add_module(f"layer{index}", nn.Sequential(*stage))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, shape["num_classes"])
        for module in self.modules():  # torchvision's initialisation
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build_model(shape: dict[str, int], seed: int = 0) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ResNet(shape)


def to_framework_batch(
    batch: tuple[np.ndarray, np.ndarray], device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = batch
    return torch.from_numpy(images).to(device), torch.from_numpy(labels).to(device)


def forward(model: nn.Module, inputs: Any, training: bool) -> torch.Tensor:
    set_mode(model, training)
    if training:
        return model(inputs)
    with torch.no_grad():
        return model(inputs)


def loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(outputs.float(), targets)


def postprocess(outputs: torch.Tensor) -> torch.Tensor:
    return outputs


def flops_per_sample(model: nn.Module, shape: dict[str, int]) -> float:
    size = shape["image_size"]
    return flops.torch_forward_flops(model, torch.zeros(1, 3, size, size, device=model_device(model)))


# --- task-independent torch.nn helpers (BERT reuses them) -------------------------------------------------


def set_mode(model: nn.Module, training: bool) -> None:
    """Switch train/eval only when it changes: ``train()`` walks every submodule."""
    if model.training != training:
        model.train(training)


def model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def parameter_count(model: nn.Module) -> int:
    """Every parameter, trainable or not; batch-norm running statistics are buffers, so they are excluded."""
    return sum(parameter.numel() for parameter in model.parameters())


def _canonical_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: t for name, t in model.state_dict().items() if not name.endswith(IGNORED_SUFFIXES)}


def export_weights(model: nn.Module) -> dict[str, np.ndarray]:
    """The model's ``state_dict`` as NumPy (its names and layouts are the canonical ones by construction)."""
    return {
        name: t.detach().cpu().float().contiguous().numpy() for name, t in _canonical_state(model).items()
    }


def load_weights(model: nn.Module, weights: dict[str, np.ndarray]) -> None:
    """Copy a canonical state dict in place (keeping the model's device, dtype and memory format)."""
    state = _canonical_state(model)
    check_complete(weights, {name: tuple(t.shape) for name, t in state.items()})
    with torch.no_grad():
        for name, t in state.items():
            t.copy_(torch.from_numpy(np.ascontiguousarray(weights[name])))
