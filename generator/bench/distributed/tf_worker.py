"""A TensorFlow worker: MultiWorkerMirroredStrategy in one of N processes, each told its place by ``TF_CONFIG``.

``TF_CONFIG`` (set by the runner) lists every worker's ``127.0.0.1:<port>`` and this process's index; the strategy
reads it when it is created, which must come before any other TensorFlow op. The training step is the strategy's
custom-loop pattern: ``strategy.run`` inside a ``tf.function``, the per-replica loss divided by the number of
replicas, and Keras' optimizer summing the gradients over the replicas (its all-reduce) before it applies them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from generator.bench import methodology, registry  # noqa: E402
from generator.bench.distributed import worker  # noqa: E402
from generator.bench.frameworks import tensorflow as tf_adapter  # noqa: E402

COMMUNICATION_NOTE = ("not exposed: tf.distribute reports no per-step collective timing (only a profiler trace "
                      "would show it); not measured")
IMPLEMENTATIONS = {"ring": tf.distribute.experimental.CommunicationImplementation.RING,
                   "nccl": tf.distribute.experimental.CommunicationImplementation.NCCL}


class Cluster:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.strategy: tf.distribute.MultiWorkerMirroredStrategy | None = None

    def start(self) -> None:
        threads = self.config["threads_per_worker"]
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(methodology.INTER_OP_THREADS)
        if self.config["device"] == "cpu":
            tf.config.set_visible_devices([], "GPU")
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=IMPLEMENTATIONS[self.config["backend"]])
        self.strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        # The cluster's first collective: startup ends when every worker has joined it.
        ones = self.strategy.run(lambda: tf.constant(1.0))
        self.strategy.reduce(tf.distribute.ReduceOp.SUM, ones, axis=None).numpy()


def build(cluster: Cluster, config: dict[str, Any], placement: worker.Placement, check_batch: Any,
          timed_batch: Any) -> worker.Engine:
    strategy = cluster.strategy
    task = registry.load_framework_module(config["task"], "tensorflow")
    with strategy.scope():
        model = task.build_model(config["shape"], seed=methodology.MODEL_SEED)
        optimizer = keras.optimizers.SGD(learning_rate=methodology.LEARNING_RATE, momentum=methodology.MOMENTUM)
        optimizer.build(model.trainable_variables)
    variables = model.trainable_variables
    replicas = strategy.num_replicas_in_sync
    device = "cpu" if config["device"] == "cpu" else "cuda"
    check_inputs, check_targets = task.to_framework_batch(check_batch, device)
    inputs, targets = task.to_framework_batch(timed_batch, device)

    def replica_step(x: Any, y: Any, training: bool) -> Any:
        with tf.GradientTape() as tape:
            # The mean over this worker's samples over the replicas: summed by the optimizer, the global mean.
            loss = task.loss(model(x, training=training), y) / replicas
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    @tf.function
    def train_step(x: Any, y: Any) -> Any:
        losses = strategy.run(lambda a, b: replica_step(a, b, True), args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    @tf.function
    def check_step(x: Any, y: Any) -> Any:  # batch norm from its moving statistics, no dropout
        losses = strategy.run(lambda a, b: replica_step(a, b, False), args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    info = tf_adapter.framework_info(config["device"])
    return worker.Engine(
        check_step=lambda: tf_adapter._sync(check_step(check_inputs, check_targets)),
        train_step=lambda: train_step(inputs, targets), sync=tf_adapter._sync,
        export_weights=lambda: task.export_weights(model), communication=None,
        communication_note=COMMUNICATION_NOTE,
        framework_info={"framework_version": tf.__version__, "backend": config["backend"], **info["threads"]},
    )


def main(argv: list[str]) -> int:
    task = json.loads(os.environ["TF_CONFIG"])
    rank, workers = task["task"]["index"], len(task["cluster"]["worker"])
    cluster = Cluster(worker.read_request(argv[0])["config"])
    return worker.run(argv[0], rank, workers, cluster.start,
                      lambda config, placement, check, timed: build(cluster, config, placement, check, timed))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
