"""Expand a suite (methodology.SUITES) into the list of run configurations for this machine. Framework-free."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from generator.bench import environment, methodology, registry
from generator.results.schema import RunConfig

DEFAULT_FRAMEWORKS = ("pytorch", "tensorflow")


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a suite; an empty tuple keeps everything."""

    frameworks: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()


def device_precisions(device: str, suite: str, host: environment.Host) -> tuple[str, ...]:
    """Precisions the device runs natively: bf16 only with hardware support (detected, not assumed)."""
    supported = []
    for precision in methodology.PRECISIONS_BY_DEVICE[device]:
        if precision in methodology.FULL_SUITE_ONLY_PRECISIONS and suite != "full":
            continue
        if precision == "bf16" and device == "cpu" and not environment.cpu_supports_bf16():
            continue
        if precision == "bf16" and device == "cuda" and (host.gpu is None or host.gpu.compute_capability < 8.0):
            continue
        supported.append(precision)
    return tuple(supported)


def _keep(value: str, allowed: tuple[str, ...]) -> bool:
    return not allowed or value in allowed


def build_plan(suite_name: str, device: str, host: environment.Host, filters: Filters = Filters(),
               timeout_s: float | None = None) -> list[RunConfig]:
    suite = methodology.SUITES[suite_name]
    frameworks = [f for f in DEFAULT_FRAMEWORKS if _keep(f, filters.frameworks)]
    tasks = [t for t in registry.task_packages() if _keep(t, filters.tasks)]
    precisions = device_precisions(device, suite_name, host)
    configs: dict[str, RunConfig] = {}
    for task in tasks:
        common = registry.load_common(task)
        base_shape = dict(common.SHAPES[suite.shapes or suite_name])
        for sweep, shape, threads in _points(suite, base_shape, host.cpu_cores_logical):
            for phase in (p for p in sweep.phases if p in common.PHASES and _keep(p, filters.phases)):
                for batch_size in _batch_sizes(sweep, task, device):
                    for precision in (p for p in (sweep.precisions or precisions)
                                      if p in precisions and _keep(p, filters.precisions)):
                        for framework in frameworks:
                            for mode in (m for m in (sweep.modes or methodology.MODES[framework])
                                         if m in methodology.MODES[framework] and _keep(m, filters.modes)):
                                config = RunConfig(
                                    suite=suite_name, task=task, framework=framework, mode=mode,
                                    precision=precision, phase=phase, batch_size=batch_size, device=device,
                                    threads=threads, inter_op_threads=methodology.INTER_OP_THREADS,
                                    channels_last=methodology.CHANNELS_LAST_FOR_IMAGES and "image_size" in shape,
                                    xla=framework == "tensorflow" and mode == "compiled",
                                    tf32=device == "cuda" and methodology.TF32,
                                    shape=shape, warmup_steps=suite.warmup_steps,
                                    measured_steps=sweep.measured_steps or suite.measured_steps,
                                    repeats=suite.repeats,
                                    timeout_s=timeout_s or suite.timeout_s,
                                )
                                configs.setdefault(config_key(config), config)
    return list(configs.values())


def thread_counts(policy: str, cores: int) -> tuple[int, ...]:
    """``all``: (cores,); ``powers-of-two``: 1, 2, 4, … below the cores, then the cores themselves."""
    if policy == "all":
        return (cores,)
    if policy != "powers-of-two":
        raise ValueError(f"unknown thread policy {policy!r}: use 'all' or 'powers-of-two'")
    counts, n = [], 1
    while n < cores:
        counts.append(n)
        n *= 2
    return (*counts, cores)


def _points(suite: methodology.Suite, base_shape: dict[str, int], cores: int):
    """Every (sweep, shape, threads) point of a suite, in order."""
    for sweep in suite.sweeps:
        for override in sweep.shape_points:
            for threads in thread_counts(sweep.threads, cores):
                yield sweep, {**base_shape, **override}, threads


def _batch_sizes(sweep: methodology.Sweep, task: str, device: str) -> tuple[int, ...]:
    sizes = sweep.batch_sizes.get(task, sweep.batch_sizes["*"])
    if device == "cuda" and sweep.cuda_batch_sizes:
        sizes = (*sizes, *sweep.cuda_batch_sizes.get(task, ()))
    return sizes


def config_key(config: RunConfig) -> str:
    """A stable, readable id for a configuration: equal configs (timeout aside) get equal keys on any machine."""
    identity = json.dumps(config.model_dump(mode="json", exclude={"timeout_s"}), sort_keys=True)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return (f"{config.task}.{config.framework}.{config.device}.{config.mode}.{config.precision}."
            f"{config.phase}.bs{config.batch_size}.{config.suite}.{digest}")
