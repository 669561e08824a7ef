"""The digits ResNet and its training step in PyTorch (imported only inside the PyTorch worker process)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.bench.accuracy.loop import Trainer
from generator.bench.accuracy.port import check_complete
from generator.bench.accuracy.spec import NUM_CLASSES, TrainConfig, blocks, has_downsample, parameter_shapes

FRAMEWORK = "pytorch"


def _bn(channels: int, cfg: TrainConfig) -> nn.BatchNorm2d:
    # PyTorch's own convention and defaults (momentum 0.1, eps 1e-5); the Keras side is converted to match.
    return nn.BatchNorm2d(channels, momentum=cfg.bn_momentum_torch, eps=cfg.bn_epsilon)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, cfg: TrainConfig) -> None:
        super().__init__()
        # padding=1 pads one pixel on every side, also for the strided convolution (Keras mirrors this exactly).
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = _bn(cout, cfg)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = _bn(cout, cfg)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), _bn(cout, cfg))
            if has_downsample(cin, cout, stride)
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class DigitsResNet(nn.Module):
    def __init__(self, cfg: TrainConfig) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, cfg.stem_width, 3, stride=1, padding=1, bias=False)
        self.bn1 = _bn(cfg.stem_width, cfg)
        for prefix, cin, cout, stride in blocks(cfg):
            stage = prefix.split(".")[0]
            self.add_module(stage, nn.Sequential(BasicBlock(cin, cout, stride, cfg)))
        self.stages = [name.split(".")[0] for name, *_ in blocks(cfg)]
        self.fc = nn.Linear(cfg.stage_widths[-1], NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        for stage in self.stages:
            x = getattr(self, stage)(x)
        return self.fc(x.mean(dim=(2, 3)))


def build_model(cfg: TrainConfig) -> DigitsResNet:
    return DigitsResNet(cfg)


def export_weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {
        name: tensor.detach().cpu().numpy().copy()
        for name, tensor in model.state_dict().items()
        if not name.endswith("num_batches_tracked")
    }


def load_weights(model: nn.Module, weights: dict[str, np.ndarray], cfg: TrainConfig) -> None:
    check_complete(weights, parameter_shapes(cfg))
    state = {name: torch.from_numpy(np.asarray(value, dtype=np.float32)) for name, value in weights.items()}
    for name in model.state_dict():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.zeros((), dtype=torch.long)
    model.load_state_dict(state, strict=True)


class TorchTrainer(Trainer):
    def __init__(self, model: DigitsResNet, cfg: TrainConfig) -> None:
        self.model = model
        self.optimizer = torch.optim.Adam(
            model.parameters(),
            lr=cfg.peak_learning_rate,  # overwritten before every step from spec.learning_rates
            betas=(cfg.adam_beta1, cfg.adam_beta2),
            eps=cfg.adam_epsilon,
            weight_decay=cfg.weight_decay,
        )
        self.label_smoothing = cfg.label_smoothing

    def train_step(self, images: np.ndarray, labels: np.ndarray, learning_rate: float) -> float:
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        logits = self.model(torch.from_numpy(images))
        loss = F.cross_entropy(logits, torch.from_numpy(labels), label_smoothing=self.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def predict(self, images: np.ndarray) -> np.ndarray:
        self.model.eval()
        with torch.no_grad():
            return self.model(torch.from_numpy(images)).numpy()


def configure(cfg: TrainConfig) -> dict[str, str]:
    """Threads and determinism; returns the build facts the result records."""
    torch.set_num_threads(cfg.threads)
    torch.set_num_interop_threads(1)
    torch.use_deterministic_algorithms(True)
    return {
        "version": torch.__version__,
        "mkldnn": str(torch.backends.mkldnn.is_available()),
        "mkl": str(torch.backends.mkl.is_available()),
        "openmp": str(torch.backends.openmp.is_available()),
    }


def make_trainer(cfg: TrainConfig, weights: dict[str, np.ndarray]) -> TorchTrainer:
    model = build_model(cfg)
    load_weights(model, weights, cfg)
    return TorchTrainer(model, cfg)
