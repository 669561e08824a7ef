"""The two runtimes that serve models from both frameworks: ONNX Runtime and the LiteRT interpreter.

Each is set up the way its own benchmark tool runs it: ONNX Runtime's CPU execution provider with every graph
optimisation (its default) and the machine's intra-op threads, one inter-op thread; LiteRT's interpreter from
``ai-edge-litert`` with its default XNNPACK delegate and the same thread count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def check_onnx(artifact: Path) -> Path:
    """ONNX's own checker on the written model (full check, shape inference included): a converter that passes
    an op through that ONNX does not define fails here, at export, not later in the runtime."""
    import onnx

    onnx.checker.check_model(str(artifact), full_check=True)
    return artifact


def onnx_load(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = inter_op_threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(artifact), options, providers=["CPUExecutionProvider"])
    return session, [i.name for i in session.get_inputs()]


def onnx_run(runner: Any, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    session, names = runner
    return session.run(None, dict(zip(names, inputs, strict=True)))


class LiteRtRunner:
    """An interpreter whose input shapes follow the call: resized (and re-allocated) only when the batch changes."""

    def __init__(self, artifact: Path, threads: int, names: tuple[str, ...] = ()) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(artifact), num_threads=threads)
        self.names = names
        self.inputs = self._input_details()
        self.outputs = self.interpreter.get_output_details()
        self.shapes: tuple[tuple[int, ...], ...] = ()
        self.interpreter.allocate_tensors()

    def _input_details(self) -> list[dict[str, Any]]:
        """Inputs in the caller's order: by name where the converter kept the names (two inputs of one shape,
        BERT's ids and mask, cannot be told apart otherwise), else in tensor-index order."""
        details = sorted(self.interpreter.get_input_details(), key=lambda d: d["index"])
        if self.names and all(sum(name in d["name"] for d in details) == 1 for name in self.names):
            return [next(d for d in details if name in d["name"]) for name in self.names]
        return details

    def __call__(self, arrays: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        shapes = tuple(a.shape for a in arrays)
        if shapes != self.shapes:
            for detail, shape in zip(self.inputs, shapes, strict=True):
                if tuple(detail["shape"]) != shape:
                    self.interpreter.resize_tensor_input(detail["index"], list(shape), strict=True)
            self.interpreter.allocate_tensors()
            self.inputs = self._input_details()
            self.outputs = self.interpreter.get_output_details()
            self.shapes = shapes
        for detail, array in zip(self.inputs, arrays, strict=True):
            self.interpreter.set_tensor(detail["index"], array.astype(detail["dtype"], copy=False))
        self.interpreter.invoke()
        return [self.interpreter.get_tensor(d["index"]).copy() for d in self.outputs]


def litert_load(artifact: Path, threads: int, inter_op_threads: int) -> LiteRtRunner:
    names = tuple(Path(artifact).with_suffix(".inputs").read_text().split()) if Path(artifact).with_suffix(
        ".inputs").exists() else ()
    return LiteRtRunner(artifact, threads, names)


def litert_run(runner: LiteRtRunner, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    return runner(inputs)
