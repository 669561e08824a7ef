"""BERT-base sequence classifier in ``torch.nn``, named as Hugging Face's ``BertForSequenceClassification``.

Attention runs through ``F.scaled_dot_product_attention``, PyTorch's fused kernel (flash attention on CPU in
inference; the math path when attention dropout is on). Its padding mask is boolean, True where a key is a
real token, the same mask the Keras model applies.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.bench.workloads import flops
from generator.bench.workloads.bert.common import DROPOUT, INITIALIZER_STD, LAYER_NORM_EPSILON

# Task-independent torch.nn helpers (state-dict export/load with checks, parameter count, mode switch).
# A classifier like ResNet-50: the same float32 cross-entropy and identity post-processing.
from generator.bench.workloads.resnet50.torch import (  # noqa: F401  (re-exported as this module's interface)
    export_weights,
    load_weights,
    loss,
    model_device,
    parameter_count,
    postprocess,
    set_mode,
)

FRAMEWORK = "pytorch"


class Embeddings(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        hidden = shape["hidden"]
        self.word_embeddings = nn.Embedding(shape["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(shape["max_positions"], hidden)
        self.token_type_embeddings = nn.Embedding(shape["type_vocab_size"], hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPSILON)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        # Positions 0..T-1 and token type 0 for every token: table slices, the values a lookup would give.
        seq_len = input_ids.shape[1]
        x = self.word_embeddings(input_ids) + self.position_embeddings.weight[:seq_len]
        return self.dropout(self.LayerNorm(x + self.token_type_embeddings.weight[0]))


class SelfAttention(nn.Module):
    def __init__(self, hidden: int, heads: int):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        batch, seq_len, hidden = x.shape

        def split_heads(t: torch.Tensor) -> torch.Tensor:  # [B, T, H] → [B, heads, T, H / heads]
            return t.view(batch, seq_len, self.heads, hidden // self.heads).transpose(1, 2)

        context = F.scaled_dot_product_attention(
            split_heads(self.query(x)),
            split_heads(self.key(x)),
            split_heads(self.value(x)),
            attn_mask=key_mask,
            dropout_p=DROPOUT if self.training else 0.0,
        )
        return context.transpose(1, 2).reshape(batch, seq_len, hidden)


class DenseResidualNorm(nn.Module):
    """BERT's ``*Output`` blocks: dense, dropout, then LayerNorm of the sum with the block's input."""

    def __init__(self, in_features: int, hidden: int):
        super().__init__()
        self.dense = nn.Linear(in_features, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPSILON)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, hidden: int, heads: int):
        super().__init__()
        self.self = SelfAttention(hidden, heads)
        self.output = DenseResidualNorm(hidden, hidden)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, key_mask), x)


class Intermediate(nn.Module):
    def __init__(self, hidden: int, intermediate: int):
        super().__init__()
        self.dense = nn.Linear(hidden, intermediate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))  # exact (erf) GELU, as BERT


class Layer(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        hidden, intermediate = shape["hidden"], shape["intermediate"]
        self.attention = Attention(hidden, shape["heads"])
        self.intermediate = Intermediate(hidden, intermediate)
        self.output = DenseResidualNorm(intermediate, hidden)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, key_mask)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        self.layer = nn.ModuleList(Layer(shape) for _ in range(shape["num_layers"]))

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layer:
            x = layer(x, key_mask)
        return x


class Pooler(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(x[:, 0]))  # the [CLS] position


class Bert(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        self.embeddings = Embeddings(shape)
        self.encoder = Encoder(shape)
        self.pooler = Pooler(shape["hidden"])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        key_mask = attention_mask.bool()[:, None, None, :]  # [B, 1, 1, S]: broadcast over heads and queries
        return self.pooler(self.encoder(self.embeddings(input_ids), key_mask))


class BertForSequenceClassification(nn.Module):
    def __init__(self, shape: dict[str, int]):
        super().__init__()
        self.bert = Bert(shape)
        self.dropout = nn.Dropout(DROPOUT)
        self.classifier = nn.Linear(shape["hidden"], shape["num_classes"])
        for module in self.modules():  # Hugging Face's BERT initialisation
            if isinstance(module, nn.Linear | nn.Embedding):
                nn.init.normal_(module.weight, std=INITIALIZER_STD)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.dropout(self.bert(input_ids, attention_mask)))


def build_model(shape: dict[str, int], seed: int = 0) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return BertForSequenceClassification(shape)


def to_framework_batch(batch: tuple[dict[str, np.ndarray], np.ndarray], device: str):
    inputs, labels = batch
    return {name: torch.from_numpy(array).to(device) for name, array in inputs.items()}, torch.from_numpy(
        labels
    ).to(device)


def forward(model: nn.Module, inputs: dict[str, torch.Tensor], training: bool) -> torch.Tensor:
    set_mode(model, training)
    if training:
        return model(inputs["input_ids"], inputs["attention_mask"])
    with torch.no_grad():
        return model(inputs["input_ids"], inputs["attention_mask"])


def flops_per_sample(model: nn.Module, shape: dict[str, int]) -> float:
    """Counted on a full-length sequence (no padding): attention cost does not shrink with the mask."""
    seq_len, device = shape["seq_len"], model_device(model)
    input_ids = torch.full((1, seq_len), 1000 % shape["vocab_size"], dtype=torch.int32, device=device)
    return flops.torch_forward_flops(model, input_ids, torch.ones_like(input_ids))
