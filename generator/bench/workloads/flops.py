"""How every workload counts its FLOPs: one convention, applied the same way in both frameworks.

What is counted: the multiply-accumulates (MACs) of *contractions* (convolutions, matrix products, einsums and
the two products inside attention, scores ``Q·Kᵀ`` and context ``P·V``), converted with
:data:`generator.results.schema.FLOPS_PER_MAC` (1 MAC = 2 FLOPs, stated there once). Not counted: element-wise work
(bias adds, activations, normalisation, softmax, residual adds, pooling) and lookups (embeddings). That is the
convention behind the published figures the tests check (ResNet-50 ≈ 4.1 GMACs at 224×224, BERT-base ≈ 11.2
GMACs per 128-token sequence) and the one PyTorch's ``FlopCounterMode`` implements, so the two frameworks'
counts can agree to the MAC.

Each framework counts its *own* model, never a formula: PyTorch with ``FlopCounterMode`` over a one-sample
forward, TensorFlow by walking the ops of the traced graph of a one-sample forward. This module imports no
deep-learning framework at import time (the site may import it); each counter imports its framework when
called.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from generator.results.schema import FLOPS_PER_MAC

# Published reference figures (forward pass, one sample), in GMACs.
# ResNet-50 v1.5 at 224×224: 4.1 GMACs (torchvision's model card lists 4.09 GFLOPS in the MAC sense;
# "Deep Residual Learning", He et al. 2015, Table 1: 3.8e9 for v1, whose stride sits in the 1×1 conv).
RESNET50_224_GMACS = 4.1
# BERT-base, 128 tokens: 12 × (4·128·768² + 2·128·768·3072 + 2·128²·768) ≈ 11.17e9, quoted as 11.2 GMACs.
BERT_BASE_128_GMACS = 11.2


def macs_to_flops(macs: float) -> float:
    return macs * FLOPS_PER_MAC


def contraction_macs(output_shape: Sequence[int], contracted_sizes: Iterable[int]) -> int:
    """MACs of any contraction: one multiply-accumulate per output element and contracted index tuple."""
    return math.prod(output_shape) * math.prod(contracted_sizes)


# --- TensorFlow: walk the traced graph --------------------------------------------------------------------

# Ops that call another function hide their work from a flat walk: refuse them rather than under-count.
_OPAQUE_TF_OPS = {
    "PartitionedCall",
    "StatefulPartitionedCall",
    "While",
    "StatelessWhile",
    "If",
    "StatelessIf",
}
_NOT_COUNTED_CONTRACTIONS = {"DepthwiseConv2dNative", "Conv3D", "Conv2DBackpropInput", "SparseMatMul"}


def _static(shape: Any) -> list[int]:
    dims = shape.as_list()
    if any(d is None for d in dims):
        raise ValueError(f"FLOP counting needs static shapes, got {dims}")
    return dims


def _einsum_contracted(equation: str, input_shapes: Sequence[list[int]]) -> list[int]:
    inputs, output = equation.replace(" ", "").split("->")
    sizes: dict[str, int] = {}
    for labels, shape in zip(inputs.split(","), input_shapes, strict=True):
        labels = labels.replace("...", "")
        sizes.update(zip(labels, shape[len(shape) - len(labels) :], strict=True))  # ellipsis dims lead
    return [size for label, size in sizes.items() if label not in output]


def tf_op_macs(op: Any) -> int:
    """MACs of one ``tf.Operation`` (0 for anything that is not a contraction)."""
    kind = op.type
    if kind in _OPAQUE_TF_OPS:
        raise NotImplementedError(f"{kind} op {op.name!r} hides a function body; trace the model flat")
    if kind in _NOT_COUNTED_CONTRACTIONS:
        raise NotImplementedError(f"no MAC formula for {kind} (op {op.name!r}); add one here")
    if kind not in {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "Conv2D"}:
        return 0
    out = _static(op.outputs[0].shape)
    a, b = (_static(t.shape) for t in op.inputs[:2])
    if kind == "Conv2D":  # kernel HWIO: each output element sums kh·kw·(in channels per group)
        return contraction_macs(out, b[:3])
    if kind == "MatMul":
        return contraction_macs(out, [a[0] if op.get_attr("transpose_a") else a[1]])
    if kind.startswith("BatchMatMul"):
        return contraction_macs(out, [a[-2] if op.get_attr("adj_x") else a[-1]])
    equation = op.get_attr("equation")
    equation = equation.decode() if isinstance(equation, bytes) else equation
    if len(op.inputs) != 2 or not re.fullmatch(r"[\w.,]+->[\w.]*", equation.replace(" ", "")):
        raise NotImplementedError(f"Einsum {equation!r} with {len(op.inputs)} operands")
    return contraction_macs(out, _einsum_contracted(equation, [a, b]))


def tensorflow_forward_flops(forward: Callable[..., Any], *input_specs: Any) -> float:
    """FLOPs of ``forward`` traced as a ``tf.function`` for ``input_specs`` (``tf.TensorSpec``s, batch 1).

    Tracing builds the graph without running it, so counting neither changes state nor costs a forward pass.
    """
    import tensorflow as tf

    graph = tf.function(forward, autograph=False).get_concrete_function(*input_specs).graph
    return macs_to_flops(sum(tf_op_macs(op) for op in graph.get_operations()))


# --- PyTorch: FlopCounterMode -----------------------------------------------------------------------------


def torch_forward_flops(model: Any, *inputs: Any) -> float:
    """FLOPs of ``model(*inputs)`` (batch-1 inputs) in inference mode, counted by ``FlopCounterMode``.

    The model's train/eval flag is restored afterwards, so batch-norm statistics are never touched.
    """
    import torch
    from torch.utils import flop_counter

    def cpu_flash_attention(query_shape, key_shape, value_shape, *_args, out_shape=None, **_kwargs) -> int:
        return flop_counter.sdpa_flop_count(query_shape, key_shape, value_shape)

    # FlopCounterMode knows the CUDA attention kernels but not the CPU one (torch 2.13), which would count 0.
    cpu_attention = {torch.ops.aten._scaled_dot_product_flash_attention_for_cpu: cpu_flash_attention}
    was_training = model.training
    model.eval()
    try:
        with (
            torch.no_grad(),
            flop_counter.FlopCounterMode(display=False, custom_mapping=cpu_attention) as counter,
        ):
            model(*inputs)
    finally:
        model.train(was_training)
    # FlopCounterMode itself reports 2 FLOPs per MAC; going through MACs applies this module's convention.
    return macs_to_flops(counter.get_total_flops() / 2)
