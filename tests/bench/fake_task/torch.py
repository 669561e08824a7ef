"""The fake task in PyTorch: Linear → ReLU → Linear."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tests.bench.fake_task import common

FRAMEWORK = "pytorch"


def build_model(shape: dict[str, int], seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(shape["features"], shape["hidden"]), nn.ReLU(),
                         nn.Linear(shape["hidden"], shape["num_classes"]))


def to_framework_batch(batch: tuple[np.ndarray, np.ndarray], device: str):
    common.misbehave(len(batch[0]))
    return torch.from_numpy(batch[0]).to(device), torch.from_numpy(batch[1]).to(device)


def forward(model: nn.Module, inputs: torch.Tensor, training: bool) -> torch.Tensor:
    return model(inputs)


def loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(outputs.float(), targets)


def postprocess(outputs: torch.Tensor) -> torch.Tensor:
    return outputs.float().softmax(dim=-1)


def flops_per_sample(model: nn.Module, shape: dict[str, int]) -> float:
    return common.flops_per_sample(shape)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def export_weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: value.detach().cpu().numpy() for name, value in model.state_dict().items()}


def load_weights(model: nn.Module, weights: dict[str, np.ndarray]) -> None:
    model.load_state_dict({name: torch.from_numpy(value) for name, value in weights.items()})
