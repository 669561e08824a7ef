"""TensorFlow → LiteRT: ``tf.lite.TFLiteConverter`` from the SavedModel, run by the ``ai-edge-litert`` interpreter.

Two precisions, as LiteRT's model-optimisation guide offers them without calibration data: fp32, and
dynamic-range quantisation (``Optimize.DEFAULT`` with no representative dataset: int8 weights, activations
quantised on the fly), which shrinks the file about 4× and is expected to drift — its drift is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import models, runtimes
from generator.bench.deploy.paths import DeployPath
from generator.bench.deploy.tf_savedmodel import write_savedmodel


def _export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path, quantise: bool) -> Path:
    import tensorflow as tf

    saved = write_savedmodel(model, example, task, workdir / "saved_model")
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved), signature_keys=["serve"])
    if quantise:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    artifact = workdir / "model.tflite"
    artifact.write_bytes(converter.convert())
    # Input names, so the interpreter feeds BERT's ids and mask (same shape, same dtype) to the right tensors.
    artifact.with_suffix(".inputs").write_text(" ".join(s.name for s in models.tf_input_signature(task, example)))
    return artifact


def export_fp32(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    return _export(model, example, task, workdir, quantise=False)


def export_int8(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    return _export(model, example, task, workdir, quantise=True)


_COMMON = dict(source="tensorflow", format="LiteRT flatbuffer", runtime="LiteRT interpreter (ai-edge-litert, XNNPACK)",
               packages=("tensorflow-cpu", "tensorflow", "ai-edge-litert"), install="pip install ai-edge-litert",
               batching="dynamic", load=runtimes.litert_load, run=runtimes.litert_run)
FP32 = DeployPath(id="tf-litert-fp32", converter="tf.lite.TFLiteConverter", precision="fp32", export=export_fp32,
                  notes="Converted from the SavedModel; the batch dimension stays dynamic (resized per call).",
                  **_COMMON)
INT8 = DeployPath(id="tf-litert-int8", converter="tf.lite.TFLiteConverter, Optimize.DEFAULT (dynamic range)",
                  precision="int8-dynamic", export=export_int8,
                  notes="Dynamic-range quantisation: int8 weights, float activations quantised per call.", **_COMMON)
