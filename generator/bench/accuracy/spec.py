"""What is held equal between the two frameworks, in one place, and the shared initial weights.

Nothing here imports a deep-learning framework: the runner, the statistics and the site read these settings, and
both framework modules build their network and optimiser from them.

The network is a small ResNet for 8×8 digits with torchvision's ResNet layout and state-dict names (``conv1``,
``bn1``, ``layer1.0.conv1``, ``layer2.0.downsample.0`` …), so its canonical NumPy state dict has the same shape as
the benchmark workloads' (see :mod:`generator.bench.workloads.base`).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass

import numpy as np

SUITE = "accuracy"
TASK = "digits-accuracy"
DATASET = "sklearn-digits"
NUM_CLASSES = 10
IMAGE_SIZE = 8

# Batch-norm settings, in PyTorch's convention. Keras writes the momentum the other way round
# (moving = momentum * moving + (1 - momentum) * batch): PyTorch's 0.1 is Keras's 0.9. Keras's default epsilon is
# 1e-3, PyTorch's 1e-5: both models use 1e-5.
BN_MOMENTUM_TORCH = 0.1
BN_EPSILON = 1e-5


@dataclass(frozen=True)
class TrainConfig:
    """Every setting both frameworks share. ``config_id`` hashes them: results with equal ids are comparable."""

    epochs: int = 15
    batch_size: int = 32
    stem_width: int = 16
    stage_widths: tuple[int, ...] = (16, 32)  # one basic block per stage; every stage after the first has stride 2
    optimizer: str = "adam"
    peak_learning_rate: float = 5e-3
    warmup_epochs: int = 1  # linear warm-up from 0, then cosine decay to 0, updated every step
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    # PyTorch's Adam adds epsilon to sqrt(v̂) (after bias correction), Keras's to sqrt(v) (before it), and their
    # defaults differ (1e-8 vs 1e-7). Both use 1e-8, and the Keras side uses PyTorch's placement
    # (tensorflow.TorchStyleAdam): with Keras's own, epsilon acts 32× larger at the first step.
    adam_epsilon: float = 1e-8
    weight_decay: float = 0.0  # none: the frameworks' coupled (L2) and decoupled forms differ under Adam
    label_smoothing: float = 0.0
    augmentation: str = "random shift of up to ±1 pixel in x and y, zero fill (NumPy, applied once for both)"
    max_shift_px: int = 1
    test_fraction: float = 0.2
    split_seed: int = 0  # the train/test split is the same for every seed
    precision: str = "fp32"
    threads: int = 1  # intra-op threads in both frameworks (and one inter-op thread)
    target_accuracy: float = 0.95
    bn_momentum_torch: float = BN_MOMENTUM_TORCH
    bn_epsilon: float = BN_EPSILON

    @property
    def config_id(self) -> str:
        payload = json.dumps(self.as_dict(), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:10]

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["stage_widths"] = list(self.stage_widths)
        return data

    def as_result_config(self) -> dict[str, str | int | float | bool]:
        """Flat scalars for ``AccuracyResult.config``."""
        flat: dict[str, str | int | float | bool] = {}
        for key, value in self.as_dict().items():
            if isinstance(value, list):
                flat[key] = ",".join(str(v) for v in value)
            else:
                flat[key] = value  # type: ignore[assignment]
        flat["config_id"] = self.config_id
        flat["loss"] = "softmax cross-entropy, mean over the batch"
        flat["lr_schedule"] = f"linear warm-up {self.warmup_epochs} epoch(s), cosine decay to 0, per step"
        flat["architecture"] = describe_architecture(self)
        return flat

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrainConfig:
        data = dict(data)
        if "stage_widths" in data:
            data["stage_widths"] = tuple(data["stage_widths"])  # type: ignore[arg-type]
        return cls(**data)  # type: ignore[arg-type]


def describe_architecture(cfg: TrainConfig) -> str:
    stages = " → ".join(f"{w}ch/s{1 if i == 0 else 2}" for i, w in enumerate(cfg.stage_widths))
    trainable = sum(math.prod(shape) for name, shape in parameter_shapes(cfg).items()
                    if not name.endswith(("running_mean", "running_var")))
    return (f"ResNet-style: 3×3 stem {cfg.stem_width}ch, basic blocks {stages}, global average pool, linear "
            f"({trainable:,} trainable parameters)")


def learning_rates(cfg: TrainConfig, steps_per_epoch: int) -> np.ndarray:
    """The learning rate of every step, computed once here and set before each step in both frameworks."""
    total = cfg.epochs * steps_per_epoch
    warmup = min(cfg.warmup_epochs * steps_per_epoch, total)
    rates = np.empty(total, dtype=np.float64)
    for step in range(total):
        if step < warmup:
            rates[step] = cfg.peak_learning_rate * (step + 1) / warmup
        else:
            progress = (step - warmup) / max(1, total - warmup)
            rates[step] = cfg.peak_learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))
    return rates


def blocks(cfg: TrainConfig) -> list[tuple[str, int, int, int]]:
    """``(prefix, in_channels, out_channels, stride)`` of every basic block, in order."""
    result = []
    channels = cfg.stem_width
    for index, width in enumerate(cfg.stage_widths):
        stride = 1 if index == 0 else 2
        result.append((f"layer{index + 1}.0", channels, width, stride))
        channels = width
    return result


def has_downsample(cin: int, cout: int, stride: int) -> bool:
    return stride != 1 or cin != cout


def parameter_shapes(cfg: TrainConfig) -> dict[str, tuple[int, ...]]:
    """Canonical (PyTorch ``state_dict``) names and shapes, ``num_batches_tracked`` excluded."""
    shapes: dict[str, tuple[int, ...]] = {}

    def bn(prefix: str, channels: int) -> None:
        for name in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{prefix}.{name}"] = (channels,)

    shapes["conv1.weight"] = (cfg.stem_width, 1, 3, 3)
    bn("bn1", cfg.stem_width)
    for prefix, cin, cout, stride in blocks(cfg):
        shapes[f"{prefix}.conv1.weight"] = (cout, cin, 3, 3)
        bn(f"{prefix}.bn1", cout)
        shapes[f"{prefix}.conv2.weight"] = (cout, cout, 3, 3)
        bn(f"{prefix}.bn2", cout)
        if has_downsample(cin, cout, stride):
            shapes[f"{prefix}.downsample.0.weight"] = (cout, cin, 1, 1)
            bn(f"{prefix}.downsample.1", cout)
    shapes["fc.weight"] = (NUM_CLASSES, cfg.stage_widths[-1])
    shapes["fc.bias"] = (NUM_CLASSES,)
    return shapes


def initial_weights(cfg: TrainConfig, seed: int) -> dict[str, np.ndarray]:
    """The shared starting point, drawn once from NumPy so neither framework's initialiser decides it.

    The schemes are torchvision ResNet's: Kaiming-normal (fan-out, ReLU gain) for convolutions, batch-norm scale 1
    and shift 0, running statistics 0 and 1; PyTorch's default uniform(±1/sqrt(fan_in)) for the linear layer.
    (Keras would use Glorot-uniform and zeros: irrelevant here, because both load these weights.)
    """
    rng = np.random.default_rng([seed, 0x1A17])
    weights: dict[str, np.ndarray] = {}
    for name, shape in parameter_shapes(cfg).items():
        if name.endswith(("running_var",)) or (name.endswith(".weight") and len(shape) == 1):
            value = np.ones(shape)
        elif name.endswith(("running_mean",)) or (name.endswith(".bias") and not name.startswith("fc.")):
            value = np.zeros(shape)
        elif len(shape) == 4:
            fan_out = shape[0] * shape[2] * shape[3]
            value = rng.normal(0.0, math.sqrt(2.0 / fan_out), size=shape)
        else:  # fc.weight, fc.bias
            bound = 1.0 / math.sqrt(cfg.stage_widths[-1])
            value = rng.uniform(-bound, bound, size=shape)
        weights[name] = value.astype(np.float32)
    return weights


# Where the two frameworks differ by design, and how this experiment makes them equal. The accuracy page shows
# this table; each line names the code that does it.
MADE_EQUAL: tuple[tuple[str, str, str, str], ...] = (
    ("Initial weights", "Kaiming-uniform (a=√5) convolutions", "Glorot-uniform kernels, zero biases",
     "Drawn once in NumPy per seed (spec.initial_weights), saved to .npz and loaded by both; SHA-256 checked"),
    ("Batch-norm momentum", "0.1 = weight of the new batch", "0.99 default = weight of the old average",
     "Keras momentum = 1 − 0.1 = 0.9 (tensorflow.TorchStyleBatchNorm)"),
    ("Batch-norm epsilon", "1e-5", "1e-3 default", "1e-5 in both"),
    ("Batch-norm running variance", "updated with the unbiased batch variance (× n/(n−1))",
     "updated with the biased batch variance", "The Keras layer applies PyTorch's n/(n−1) correction"),
    ("Padding of strided 3×3 convolutions", "padding=1: one pixel on every side",
     "'same': only bottom/right when the size is even (8 → 4)",
     "Explicit ZeroPadding2D(1) + 'valid' convolution in Keras"),
    ("Adam epsilon", "1e-8, added to √v̂ (after bias correction)", "1e-7 default, added to √v (before it)",
     "1e-8 in both, added after the bias correction: a small Keras Adam subclass applies PyTorch's update "
     "formula (tensorflow.TorchStyleAdam)"),
    ("Learning-rate schedule", "LR schedulers step per epoch or per call", "schedules are per optimiser step",
     "One per-step table computed in NumPy (spec.learning_rates), set before every step in both"),
    ("Data order and augmentation", "DataLoader / torchvision transforms", "tf.data / Keras preprocessing layers",
     "One NumPy stream per (seed, epoch) for both; every batch is hashed and the digests compared"),
    ("Layout", "NCHW", "NHWC", "The same NCHW NumPy batch, transposed for Keras; weights transposed when loaded"),
    ("Loss", "F.cross_entropy (mean)", "CategoricalCrossentropy(from_logits=True) (mean over the batch)",
     "Same formula and reduction; no label smoothing"),
    ("Execution", "eager", "tf.function graph (how Keras trains)",
     "Each framework's usual training mode; fp32, 1 intra-op thread, deterministic ops"),
)
