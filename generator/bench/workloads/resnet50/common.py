"""Image classification with ResNet-50 v1.5: the task, its shapes and its data, framework-free.

The network is torchvision's ``resnet50`` layout ("v1.5"): bottleneck blocks 1×1 → 3×3 → 1×1 with the stride
in the 3×3 convolution, no convolution biases, batch norm after every convolution, a projection shortcut (1×1
conv + batch norm) on the first block of each stage, and a 1000-class linear head: 25,557,032 parameters.
Both framework modules build it from :func:`stage_plan`, so the two cannot drift apart.
"""

from __future__ import annotations

import numpy as np

TASK = "image-classification"
PHASES = ("train", "inference")

# Bottleneck blocks per stage by depth (depth = 3 · blocks + 2). 50 is the benchmark; 14 keeps the smoke suite
# fast while still running every code path (stem, strided and projected blocks, head).
BLOCKS_BY_DEPTH = {50: (3, 4, 6, 3), 26: (2, 2, 2, 2), 14: (1, 1, 1, 1)}
EXPANSION = 4  # a bottleneck's output has 4× its inner width

# Batch norm as PyTorch defines it. Keras writes momentum the other way round (its 0.9 is PyTorch's 0.1) and
# defaults epsilon to 1e-3, so the Keras module passes these explicitly.
BN_EPSILON = 1e-5
BN_MOMENTUM_TORCH = 0.1

RESNET50_224 = {"image_size": 224, "num_classes": 1000, "depth": 50, "width": 64}
SHAPES: dict[str, dict[str, int]] = {
    "smoke": {"image_size": 32, "num_classes": 10, "depth": 14, "width": 16},
    "standard": RESNET50_224,
    "full": RESNET50_224,
}


def stage_plan(shape: dict[str, int]) -> list[tuple[int, int, int]]:
    """``(blocks, inner_width, stride)`` per stage; a stage outputs ``EXPANSION × inner_width`` channels."""
    width = shape["width"]
    blocks = BLOCKS_BY_DEPTH[shape["depth"]]
    return [(n, width * 2**i, 1 if i == 0 else 2) for i, n in enumerate(blocks)]


def make_batch(shape: dict[str, int], batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic ImageNet-like batch: NCHW float32 images (normalised: standard normal), int64 labels.

    Speed does not depend on pixel values; the accuracy experiments bring real data.
    """
    rng = np.random.default_rng(seed)
    size = shape["image_size"]
    images = rng.standard_normal((batch_size, 3, size, size), dtype=np.float32)
    labels = rng.integers(0, shape["num_classes"], size=batch_size, dtype=np.int64)
    return images, labels
