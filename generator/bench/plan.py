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
    threads = host.cpu_cores_logical
    configs: dict[str, RunConfig] = {}
    for task in tasks:
        common = registry.load_common(task)
        shape = dict(common.SHAPES[suite_name])
        for sweep in suite.sweeps:
            for phase in (p for p in sweep.phases if p in common.PHASES and _keep(p, filters.phases)):
                for batch_size in sweep.batch_sizes.get(task, sweep.batch_sizes["*"]):
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


def config_key(config: RunConfig) -> str:
    """A stable, readable id for a configuration: equal configs (timeout aside) get equal keys on any machine."""
    identity = json.dumps(config.model_dump(mode="json", exclude={"timeout_s"}), sort_keys=True)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return (f"{config.task}.{config.framework}.{config.device}.{config.mode}.{config.precision}."
            f"{config.phase}.bs{config.batch_size}.{config.suite}.{digest}")
