"""TensorFlow/Keras adapter: device, threads, mixed-precision policy, tf.function and XLA, sync, memory, peak."""

from __future__ import annotations

import datetime as dt
from typing import Any

import keras
import tensorflow as tf

from generator.bench import environment, methodology, timing
from generator.bench.frameworks.common import HostMemory, Prepared, Unsupported
from generator.bench.workloads.porting import tf_device
from generator.results.schema import Calibration, RunConfig

FRAMEWORK = "tensorflow"
POLICIES = {"fp32": "float32", "bf16": "mixed_bfloat16", "fp16": "mixed_float16"}
DTYPES = {"fp32": tf.float32, "bf16": tf.bfloat16, "fp16": tf.float16}


def configure(device: str, precision: str, threads: int, inter_op_threads: int, tf32: bool) -> None:
    """Must run before TensorFlow executes any op: thread pools and visible devices are fixed at first use."""
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(inter_op_threads)
    tf.config.experimental.enable_tensor_float_32_execution(tf32)  # equal to PyTorch's, recorded
    gpus = tf.config.list_physical_devices("GPU")
    if device == "cpu":
        tf.config.set_visible_devices([], "GPU")
    else:
        if not gpus:
            build = tf.sysconfig.get_build_info()
            raise Unsupported(f"TensorFlow {tf.__version__} sees no GPU (CUDA build: {build.get('is_cuda_build')}; "
                              "install tensorflow[and-cuda])")
        for gpu in gpus:  # allocate as needed instead of reserving the whole GPU up front
            tf.config.experimental.set_memory_growth(gpu, True)
    _check_precision(device, precision)
    # The global policy must be set before the model is built: Keras layers read it when they are created.
    keras.mixed_precision.set_global_policy(POLICIES[precision])


def _check_precision(device: str, precision: str) -> None:
    if precision == "fp16" and device != "cuda":
        raise Unsupported("fp16 mixed precision is measured on GPUs only")
    if precision == "bf16":
        if device == "cpu" and not environment.cpu_supports_bf16():
            raise Unsupported("this CPU has no native bfloat16 support (avx512_bf16 / amx_bf16)")
        if device == "cuda":
            details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
            if details.get("compute_capability", (0, 0)) < (8, 0):
                raise Unsupported("bfloat16 needs a GPU of compute capability 8.0 or newer")


def _sync(output: Any) -> None:
    """Wait for the step by copying one value of its output to the host.

    Why this is a real synchronisation: on a GPU, TensorFlow queues kernels on one compute stream and returns
    before they run; ``.numpy()`` copies to host memory only after the stream has executed everything queued
    before the copy, i.e. the whole step (forward, backward, every optimiser update, post-processing). On CPU,
    eager ops and ``tf.function`` calls return after their kernels ran, so the fetch costs next to nothing. The
    value fetched depends on the step's result, so nothing can skip or reorder the work it waits for.
    """
    first = tf.nest.flatten(output)[0]
    tf.reshape(first, [-1])[:1].numpy()


def _wrap(fn: Any, mode: str) -> Any:
    if mode == "eager":
        return fn
    if mode == "graph":
        return tf.function(fn)  # Grappler-optimised graph, no XLA: TensorFlow's usual default
    return tf.function(fn, jit_compile=True)


def prepare(task: Any, config: RunConfig, batch: tuple[Any, Any]) -> Prepared:
    if config.mode not in methodology.MODES[FRAMEWORK]:
        raise Unsupported(f"TensorFlow has no '{config.mode}' mode")
    keras.utils.set_random_seed(methodology.MODEL_SEED)
    with tf.device(tf_device(config.device)):
        model = task.build_model(config.shape, seed=methodology.MODEL_SEED)
        inputs, targets = task.to_framework_batch(batch, config.device)

    if config.phase == "train":
        optimizer = keras.optimizers.SGD(learning_rate=methodology.LEARNING_RATE, momentum=methodology.MOMENTUM)
        if config.precision == "fp16":  # bf16 has fp32's exponent range and needs no loss scaling
            optimizer = keras.mixed_precision.LossScaleOptimizer(optimizer)
        variables = model.trainable_variables
        with tf.device(tf_device(config.device)):
            optimizer.build(variables)  # create slots now, not inside the traced function

        def train_step(x: Any, y: Any) -> Any:
            with tf.GradientTape() as tape:
                loss = task.loss(task.forward(model, x, True), y)
                scaled = optimizer.scale_loss(loss)  # identity unless loss scaling
            gradients = tape.gradient(scaled, variables)
            optimizer.apply(gradients, variables)  # a LossScaleOptimizer unscales and skips non-finite steps
            return loss

        run = _wrap(train_step, config.mode)  # compiled: forward, backward and update in one XLA cluster
        args = (inputs, targets)
    else:
        def forward(x):
            return task.forward(model, x, False)
        # compiled: the network in XLA; post-processing (dynamic-size NMS) stays in the surrounding graph, as
        # torch.compile compiles the model and leaves post-processing to eager PyTorch.
        network = tf.function(forward, jit_compile=True) if config.mode == "compiled" else forward

        def infer(x: Any) -> Any:
            return task.postprocess(network(x))

        run = infer if config.mode == "eager" else tf.function(infer)
        args = (inputs,)

    device_name = tf_device(config.device)

    def step() -> Any:
        with tf.device(device_name):
            return run(*args)

    return Prepared(model=model, step=step, sync=_sync)


class _GpuMemory:
    def start(self) -> None:
        tf.config.experimental.reset_memory_stats("GPU:0")

    def peak(self) -> tuple[float | None, str]:
        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20, "device"


def memory_probe(device: str) -> Any:
    return _GpuMemory() if device == "cuda" else HostMemory()


def calibrate_peak(precision: str, device: str) -> Calibration:
    """FLOP/s of a large square matmul in this dtype, threads and device: the peak utilisation is measured against."""
    _check_precision(device, precision)
    plan = methodology.CALIBRATION[device]
    with tf.device(tf_device(device)):
        a, b = (tf.cast(tf.random.stateless_normal((plan.size, plan.size), seed=(0, i)), DTYPES[precision])
                for i in range(2))

        def matmul() -> Any:
            return tf.linalg.matmul(a, b)

        seconds = timing.best_time(matmul, _sync, warmup=plan.warmup, trials=plan.trials, inner=plan.inner)
    return Calibration(
        peak_flops_per_s=methodology.FLOPS_PER_MAC * plan.size**3 / seconds,
        matmul_size=plan.size,
        dtype=DTYPES[precision].name,
        framework=FRAMEWORK,
        measured_at=dt.datetime.now(dt.UTC),
    )


def _onednn_enabled() -> str:
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return "unknown"
    return str(_pywrap_util_port.IsMklEnabled())


def framework_info(device: str) -> dict[str, Any]:
    build_info = tf.sysconfig.get_build_info()
    build = {
        "keras": keras.__version__,
        "onednn": _onednn_enabled(),
        "is_cuda_build": str(build_info.get("is_cuda_build")),
        "tensor_float_32": str(tf.config.experimental.tensor_float_32_execution_enabled()),
        "mixed_precision_policy": keras.mixed_precision.global_policy().name,
    }
    cuda = device == "cuda" and bool(tf.config.list_physical_devices("GPU"))
    return {
        "framework_version": tf.__version__,
        "framework_build": build,
        "threads": {
            "tf.config.threading.intra_op": str(tf.config.threading.get_intra_op_parallelism_threads()),
            "tf.config.threading.inter_op": str(tf.config.threading.get_inter_op_parallelism_threads()),
        },
        "cuda_version": build_info.get("cuda_version") if cuda else None,
        "cudnn_version": build_info.get("cudnn_version") if cuda else None,
    }


def is_oom(error: BaseException) -> bool:
    return isinstance(error, (MemoryError, tf.errors.ResourceExhaustedError)) or "out of memory" in str(error).lower()
