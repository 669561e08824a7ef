"""TensorFlow → ONNX with ``tf2onnx`` (the converter the ONNX project lists for TensorFlow), run by ONNX Runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import models, runtimes
from generator.bench.deploy.paths import DeployPath

OPSET = 17  # the newest opset tf2onnx 1.17 documents as tested


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    import tensorflow as tf
    import tf2onnx

    artifact = workdir / "model.onnx"
    function = tf.function(models.tf_serving_function(task, model))
    tf2onnx.convert.from_function(function, input_signature=models.tf_input_signature(task, example), opset=OPSET,
                                  output_path=str(artifact))
    return runtimes.check_onnx(artifact)


PATH = DeployPath(
    id="tf-onnx", source="tensorflow", format="ONNX", converter=f"tf2onnx.convert.from_function (opset {OPSET})",
    runtime="ONNX Runtime (CPU execution provider)", precision="fp32",
    packages=("tensorflow-cpu", "tensorflow", "tf2onnx", "onnx", "onnxruntime"),
    install="pip install tf2onnx onnxruntime", batching="dynamic",
    export=export, load=runtimes.onnx_load, run=runtimes.onnx_run,
)
