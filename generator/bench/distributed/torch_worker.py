"""A PyTorch worker: DistributedDataParallel in a process started by torchrun (``python -m torch.distributed.run``).

torchrun gives each process RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT; ``init_process_group``
reads them (the ``env://`` method). The gradient all-reduce is DDP's own (bucketed, overlapped with backward);
the worker only wraps it in a communication hook that notes when each bucket's all-reduce starts and completes.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import torch
import torch.distributed as dist
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel

from generator.bench import methodology, registry
from generator.bench.distributed import worker
from generator.bench.frameworks import torch as torch_adapter

COMMUNICATION_NOTE = ("share of the step's wall time with at least one gradient bucket's all-reduce in flight, "
                      "from a DDP communication hook around the default all-reduce (it overlaps backward compute)")


class AllReduceClock:
    """Start and completion times of every bucket's all-reduce: the union of those intervals within a step is the
    time the step spent with communication in flight."""

    def __init__(self) -> None:
        self.intervals: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def hook(self, state, bucket):  # noqa: ANN001 - DDP checks the annotations, and strings do not pass
        started = time.perf_counter()
        future = default_hooks.allreduce_hook(state, bucket)

        def done(completed: torch.futures.Future[torch.Tensor]) -> torch.Tensor:
            with self.lock:
                self.intervals.append((started, time.perf_counter()))
            return completed.value()

        return future.then(done)

    def start_step(self) -> None:
        with self.lock:
            self.intervals.clear()

    def share(self, step_start: float, step_end: float) -> float:
        with self.lock:
            spans = sorted((max(a, step_start), min(b, step_end)) for a, b in self.intervals)
        covered, reach = 0.0, step_start
        for start, end in spans:
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        return min(1.0, covered / (step_end - step_start))


def _device(config: dict[str, Any]) -> torch.device:
    if config["device"] == "cuda":
        local_rank = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def start_group(config: dict[str, Any]) -> None:
    dist.init_process_group(backend=config["backend"])
    dist.barrier()  # the group's first collective: startup ends when every worker has joined


def build(config: dict[str, Any], placement: worker.Placement, check_batch: Any, timed_batch: Any) -> worker.Engine:
    torch.set_num_threads(config["threads_per_worker"])
    torch.set_num_interop_threads(methodology.INTER_OP_THREADS)
    device = _device(config)
    task = registry.load_framework_module(config["task"], "pytorch")
    model = task.build_model(config["shape"], seed=methodology.MODEL_SEED).to(device)
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    clock = AllReduceClock()
    ddp.register_comm_hook(state=None, hook=clock.hook)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=methodology.LEARNING_RATE, momentum=methodology.MOMENTUM)
    check_inputs, check_targets = task.to_framework_batch(check_batch, str(device))
    inputs, targets = task.to_framework_batch(timed_batch, str(device))
    sync = torch_adapter._sync(device.type)

    def step(x: Any, y: Any, training: bool) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        ddp.train(training)  # the check step: batch norm from running statistics, no dropout
        loss = task.loss(ddp(**x) if isinstance(x, dict) else ddp(x), y)
        loss.backward()  # DDP averages the gradients over the workers here
        optimizer.step()
        return loss

    def check_step() -> None:
        sync(step(check_inputs, check_targets, False))
        ddp.train(True)

    return worker.Engine(
        check_step=check_step, train_step=lambda: step(inputs, targets, True), sync=sync,
        export_weights=lambda: task.export_weights(model), communication=clock,
        communication_note=COMMUNICATION_NOTE,
        framework_info={"framework_version": torch.__version__, "backend": dist.get_backend(),
                        "torch.get_num_threads": str(torch.get_num_threads())},
    )


def main(argv: list[str]) -> int:
    rank, workers = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    config = worker.read_request(argv[0])["config"]
    try:
        return worker.run(argv[0], rank, workers, lambda: start_group(config), build)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
