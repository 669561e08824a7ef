"""PyTorch adapter: device, threads, autocast, torch.compile, channels-last, synchronisation, memory, peak."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import torch

from generator.bench import environment, methodology, timing
from generator.bench.frameworks.common import HostMemory, Prepared, Unsupported
from generator.results.schema import Calibration, RunConfig

FRAMEWORK = "pytorch"
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def configure(device: str, precision: str, threads: int, inter_op_threads: int, tf32: bool) -> None:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(inter_op_threads)
    # Equal to TensorFlow's setting (both off by default in methodology.TF32), and recorded in the result.
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    # cuDNN picks the fastest convolution algorithm for the fixed shapes, as TensorFlow's autotuning does.
    torch.backends.cudnn.benchmark = True
    _check_support(device, precision)


def _bf16_supported(device: str) -> bool:
    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    mkldnn_check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(mkldnn_check()) if mkldnn_check is not None else environment.cpu_supports_bf16()


def _check_support(device: str, precision: str) -> None:
    if device == "cuda" and not torch.cuda.is_available():
        raise Unsupported(f"PyTorch {torch.__version__} sees no CUDA GPU (built for CUDA {torch.version.cuda})")
    if precision == "bf16" and not _bf16_supported(device):
        raise Unsupported(f"this {device} has no native bfloat16 support")
    if precision == "fp16" and device != "cuda":
        raise Unsupported("fp16 mixed precision is measured on GPUs only")


def _autocast(device: str, precision: str) -> contextlib.AbstractContextManager:
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device, dtype=DTYPES[precision])


def _channels_last(tree: Any) -> Any:
    """Images (4-D tensors) in channels-last memory format; anything else unchanged."""
    if isinstance(tree, torch.Tensor):
        return tree.contiguous(memory_format=torch.channels_last) if tree.dim() == 4 else tree
    if isinstance(tree, (tuple, list)):
        return type(tree)(_channels_last(item) for item in tree)
    if isinstance(tree, dict):
        return {key: _channels_last(value) for key, value in tree.items()}
    return tree


def _sync(device: str):
    if device == "cuda":
        # CUDA kernels are queued asynchronously; wait for all of them before the clock is read.
        return lambda _output: torch.cuda.synchronize()
    # On CPU every PyTorch op (eager or an inductor kernel) has finished when the call returns.
    return lambda _output: None


def prepare(task: Any, config: RunConfig, batch: tuple[Any, Any]) -> Prepared:
    if config.mode not in methodology.MODES[FRAMEWORK]:
        raise Unsupported(f"PyTorch has no '{config.mode}' mode (modes: {methodology.MODES[FRAMEWORK]})")
    torch.manual_seed(methodology.MODEL_SEED)
    model = task.build_model(config.shape, seed=methodology.MODEL_SEED).to(config.device)
    inputs, targets = task.to_framework_batch(batch, config.device)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
        inputs = _channels_last(inputs)
    runnable = torch.compile(model, **methodology.TORCH_COMPILE_OPTIONS) if config.mode == "compiled" else model
    def autocast():
        return _autocast(config.device, config.precision)

    if config.phase == "train":
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=methodology.LEARNING_RATE, momentum=methodology.MOMENTUM)
        # Loss scaling for fp16 only (bf16 has fp32's exponent range); a disabled scaler is a no-op.
        scaler = torch.amp.GradScaler(config.device, enabled=config.precision == "fp16")

        def step() -> Any:
            optimizer.zero_grad(set_to_none=True)
            with autocast():
                loss = task.loss(task.forward(runnable, inputs, True), targets)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            return loss
    else:
        model.eval()

        def step() -> Any:
            with torch.inference_mode():
                with autocast():
                    outputs = task.forward(runnable, inputs, False)
                return task.postprocess(outputs)

    return Prepared(model=model, step=step, sync=_sync(config.device))


class _CudaMemory:
    def start(self) -> None:
        torch.cuda.reset_peak_memory_stats()

    def peak(self) -> tuple[float | None, str]:
        return torch.cuda.max_memory_allocated() / 2**20, "device"


def memory_probe(device: str) -> Any:
    return _CudaMemory() if device == "cuda" else HostMemory()


def calibrate_peak(precision: str, device: str) -> Calibration:
    """FLOP/s of a large square matmul in this dtype, threads and device: the peak utilisation is measured against."""
    _check_support(device, precision)
    plan = methodology.CALIBRATION[device]
    generator = torch.Generator().manual_seed(0)
    a, b = (torch.randn(plan.size, plan.size, generator=generator).to(device, DTYPES[precision]) for _ in range(2))
    out = torch.empty_like(a)
    seconds = timing.best_time(lambda: torch.mm(a, b, out=out), _sync(device),
                               warmup=plan.warmup, trials=plan.trials, inner=plan.inner)
    return Calibration(
        peak_flops_per_s=methodology.FLOPS_PER_MAC * plan.size**3 / seconds,
        matmul_size=plan.size,
        dtype=str(DTYPES[precision]).removeprefix("torch."),
        framework=FRAMEWORK,
        measured_at=dt.datetime.now(dt.UTC),
    )


def framework_info(device: str) -> dict[str, Any]:
    build = {
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "mkldnn": str(torch.backends.mkldnn.is_available()),
        "mkl": str(torch.backends.mkl.is_available()),
        "openmp": str(torch.backends.openmp.is_available()),
        "cuda_build": str(torch.version.cuda),
        "cudnn_benchmark": str(torch.backends.cudnn.benchmark),
        "allow_tf32_matmul": str(torch.backends.cuda.matmul.allow_tf32),
        "allow_tf32_cudnn": str(torch.backends.cudnn.allow_tf32),
    }
    cuda = device == "cuda" and torch.cuda.is_available()
    return {
        "framework_version": torch.__version__,
        "framework_build": build,
        "threads": {"torch.get_num_threads": str(torch.get_num_threads()),
                    "torch.get_num_interop_threads": str(torch.get_num_interop_threads())},
        "cuda_version": torch.version.cuda if cuda else None,
        "cudnn_version": str(torch.backends.cudnn.version()) if cuda else None,
    }


def is_oom(error: BaseException) -> bool:
    return isinstance(error, (MemoryError, torch.OutOfMemoryError)) or "out of memory" in str(error).lower()
