"""Sentiment analysis with a BERT-base encoder and a 2-class head: the task, its shapes and its data.

The network is BERT-base as Hugging Face's ``BertForSequenceClassification`` lays it out (and names it, so a
``bert-base-uncased`` checkpoint maps onto the canonical names): word + position + token-type embeddings with
LayerNorm, 12 post-norm encoder layers (self-attention with 12 heads, FFN 768 → 3072 → 768 with exact GELU),
LayerNorm epsilon 1e-12, a pooler (dense + tanh on the [CLS] position), dropout and the classifier.
Sentiment inputs are single sentences, so every token has token type 0 (the token-type table is still a
parameter, as in BERT).
"""

from __future__ import annotations

import numpy as np

TASK = "sentiment-analysis"
PHASES = ("train", "inference")

LAYER_NORM_EPSILON = 1e-12
DROPOUT = 0.1  # hidden and attention-probability dropout, as BERT's config
INITIALIZER_STD = (
    0.02  # normal(0, 0.02), as Hugging Face initialises BERT; ported weights make outputs equal anyway
)

PAD_ID, CLS_ID, SEP_ID = 0, 101, 102  # bert-base-uncased's ids
FIRST_WORD_ID = 999  # ids below are special or unused tokens in bert-base-uncased

BERT_BASE_128 = {
    "seq_len": 128,
    "num_layers": 12,
    "hidden": 768,
    "heads": 12,
    "intermediate": 3072,
    "vocab_size": 30522,
    "max_positions": 512,
    "type_vocab_size": 2,
    "num_classes": 2,
}
SHAPES: dict[str, dict[str, int]] = {
    # Every code path (embeddings, masked attention, FFN, pooler, head) at a size that runs in seconds.
    "smoke": {
        **BERT_BASE_128,
        "seq_len": 16,
        "num_layers": 2,
        "hidden": 64,
        "heads": 2,
        "intermediate": 256,
        "vocab_size": 2000,
        "max_positions": 64,
    },
    "standard": BERT_BASE_128,
    "full": BERT_BASE_128,
}


def make_batch(shape: dict[str, int], batch_size: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Synthetic padded sentences: ``{"input_ids", "attention_mask"}`` (int32, [batch, seq_len]), int64 labels.

    Each sentence is ``[CLS] words… [SEP]`` followed by padding, its length drawn between half and all of
    ``seq_len``, so the attention mask matters (padding keys are masked in both frameworks).
    """
    rng = np.random.default_rng(seed)
    seq_len, vocab_size = shape["seq_len"], shape["vocab_size"]
    lengths = rng.integers(max(2, seq_len // 2), seq_len + 1, size=batch_size)
    positions = np.arange(seq_len)
    attention_mask = (positions[None, :] < lengths[:, None]).astype(np.int32)
    input_ids = rng.integers(FIRST_WORD_ID, vocab_size, size=(batch_size, seq_len), dtype=np.int32)
    input_ids[:, 0] = CLS_ID
    input_ids[np.arange(batch_size), lengths - 1] = SEP_ID
    input_ids[attention_mask == 0] = PAD_ID
    labels = rng.integers(0, shape["num_classes"], size=batch_size, dtype=np.int64)
    return {"input_ids": input_ids, "attention_mask": attention_mask}, labels
