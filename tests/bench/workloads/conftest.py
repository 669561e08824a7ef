"""Shared by the ResNet-50 and BERT tests: how far one framework's outputs are from the other's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest


def _relative_difference(other: np.ndarray, reference: np.ndarray) -> float:
    other, reference = np.asarray(other, np.float64), np.asarray(reference, np.float64)
    assert other.shape == reference.shape, f"shapes differ: {other.shape} vs {reference.shape}"
    return float(np.abs(other - reference).max() / np.abs(reference).max())


@pytest.fixture
def relative_difference() -> Callable[[np.ndarray, np.ndarray], float]:
    """``max |other - reference| / max |reference|``: the largest logit error relative to the logits' scale.

    Each test file states its tolerance for it and why (float32 round-off of that network, measured against a
    float64 run of the same weights).
    """
    return _relative_difference
