"""TensorFlow's own server format: a SavedModel (Keras ``ExportArchive``) run by the TensorFlow runtime.

This is what TensorFlow Serving loads; in-process, ``tf.saved_model.load`` runs the same graph with the same
kernels, so it is measured that way (Serving itself is a C++ server, not installable from PyPI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.bench.deploy import models
from generator.bench.deploy.paths import DeployPath


def write_savedmodel(model: Any, example: tuple[np.ndarray, ...], task: str, folder: Path) -> Path:
    """The Keras documented export: one ``serve`` endpoint, batch dimension dynamic."""
    import keras

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", models.tf_serving_function(task, model),
                         input_signature=models.tf_input_signature(task, example))
    archive.write_out(str(folder), verbose=False)
    return folder


def export(model: Any, example: tuple[np.ndarray, ...], task: str, workdir: Path) -> Path:
    return write_savedmodel(model, example, task, workdir / "saved_model")


def configure_threads(threads: int, inter_op_threads: int) -> None:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(inter_op_threads)
    tf.config.set_visible_devices([], "GPU")


def load(artifact: Path, threads: int, inter_op_threads: int) -> Any:
    import tensorflow as tf

    configure_threads(threads, inter_op_threads)
    return tf.saved_model.load(str(artifact))  # the object owns the variables: keep it, not only its function


def run(loaded: Any, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    outputs = loaded.serve(*inputs)
    return [t.numpy() for t in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


PATH = DeployPath(
    id="tf-savedmodel", source="tensorflow", format="SavedModel", converter="keras.export.ExportArchive",
    runtime="TensorFlow runtime (tf.saved_model.load)", precision="fp32",
    packages=("tensorflow-cpu", "tensorflow", "keras"), install="(the pinned tensorflow-cpu)", batching="dynamic",
    export=export, load=load, run=run,
    notes="The format TensorFlow Serving loads, run in-process by the same TensorFlow runtime.",
)
