"""Copying BERT weights between the PyTorch and Keras models through the canonical NumPy state dict.

Canonical names are Hugging Face's ``BertForSequenceClassification`` state-dict names (``bert.embeddings.*``,
``bert.encoder.layer.N.attention.self.query.weight``, ``bert.pooler.dense.*``, ``classifier.*``) with PyTorch
layouts, so a Hugging Face checkpoint, passed through :func:`from_checkpoint_state_dict`, loads into either
model. The framework-free helpers are :mod:`generator.bench.workloads.porting`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.bench.workloads.porting import check_complete, load, port, save  # noqa: F401

# Buffers a Hugging Face checkpoint may carry that are not weights (positions are computed, not stored).
CHECKPOINT_BUFFERS = ("bert.embeddings.position_ids", "bert.embeddings.token_type_ids")


def from_checkpoint_state_dict(state: dict[str, Any]) -> dict[str, np.ndarray]:
    """A canonical dict from a Hugging Face-style state dict (tensors or arrays), less non-weight buffers."""
    return {
        name: value.detach().cpu().float().numpy() if hasattr(value, "detach") else np.asarray(value)
        for name, value in state.items()
        if name not in CHECKPOINT_BUFFERS
    }
