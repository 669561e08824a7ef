"""The distributed suite: plan the runs, launch each with its framework's launcher, check and write the results.

Per task and framework the plan is the 1-worker baseline, then the multi-worker runs (strong and weak scaling).
The baseline's weights before and after the check step are kept in ``.bench-cache/distributed/`` as the reference
every multi-worker run of that task and framework is compared with; a run whose reference is missing (``--resume``
skipped the baseline, or it failed) gets a reference-only baseline run first. Every way a run can end is a result:
a launcher or worker that dies, a group that never forms, a timeout, a missing result file, an equivalence check
that fails, or ok with its metrics.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import re
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from generator.bench import environment, methodology, registry, stats
from generator.bench.distributed import equivalence, launch
from generator.bench.distributed.worker import CHECKED_WEIGHTS, INITIAL_WEIGHTS
from generator.bench.runner import run_plan, worker_env
from generator.results.identity import run_identity
from generator.results.schema import (
    DistributedConfig,
    DistributedFailure,
    DistributedMetrics,
    DistributedResult,
    DistributedStage,
    DistributedTiming,
    Environment,
    FailureKind,
    ScalingKind,
    Status,
)

CACHE_DIR = environment.REPO_ROOT / ".bench-cache" / "distributed"
ENGINES = {
    "pytorch": {"engine": "torch.distributed DistributedDataParallel", "launcher": "torchrun (torch.distributed.run)",
                "module": "generator.bench.distributed.torch_worker", "backends": {"cpu": "gloo", "cuda": "nccl"},
                "packages": ("torch",)},
    "tensorflow": {"engine": "tf.distribute MultiWorkerMirroredStrategy",
                   "launcher": "TF_CONFIG (one process per worker)",
                   "module": "generator.bench.distributed.tf_worker", "backends": {"cpu": "ring", "cuda": "nccl"},
                   "packages": ("tensorflow", "tensorflow-cpu", "keras")},
}
FRAMEWORKS = tuple(ENGINES)
ERROR_LINE = re.compile(r"^(?:\[rank\d+\]: )?(\w+(?:Error|Exception|Exit)\b.*)$", re.MULTILINE)


def capacity(host: environment.Host, device: str) -> int:
    """How many workers this machine can hold: one per GPU, or one per core."""
    return len(environment.gpus()) if device == "cuda" else host.cpu_cores_logical


def build_plan(suite_name: str, host: environment.Host, device: str = "cpu", tasks: tuple[str, ...] = (),
               frameworks: tuple[str, ...] = (), timeout_s: float | None = None) -> list[DistributedConfig]:
    suite = methodology.DISTRIBUTED_SUITES[suite_name]
    plan = []
    for task in suite.tasks:
        if tasks and task not in tasks:
            continue
        shape = dict(registry.load_common(task).SHAPES[suite.shapes])
        for framework in FRAMEWORKS:
            if frameworks and framework not in frameworks:
                continue
            for workers in suite.worker_counts:
                if workers > capacity(host, device):
                    continue
                kinds = ((ScalingKind.baseline, suite.global_batch),) if workers == 1 else (
                    (ScalingKind.strong, suite.global_batch // workers), (ScalingKind.weak, suite.global_batch))
                for scaling, per_worker in kinds:
                    engine = ENGINES[framework]
                    launcher = engine["launcher"]
                    if framework == "tensorflow" and launch.private_network_available():
                        launcher += ", in a network namespace of its own (loopback only)"
                    plan.append(DistributedConfig(
                        suite=suite.name, task=task, framework=framework, engine=engine["engine"],
                        launcher=launcher, backend=engine["backends"][device],
                        mode=methodology.DISTRIBUTED_MODES[framework], precision="fp32", device=device,
                        workers=workers, threads_per_worker=max(1, host.cpu_cores_logical // workers),
                        scaling=scaling, per_worker_batch=per_worker, global_batch=per_worker * workers,
                        equivalence_batch=suite.global_batch, shape=shape, warmup_steps=suite.warmup_steps,
                        measured_steps=suite.measured_steps, repeats=suite.repeats,
                        timeout_s=timeout_s or suite.timeout_s))
    return plan


def installed_versions(framework: str) -> dict[str, str]:
    found = {}
    for name in ENGINES[framework]["packages"]:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def reproduce_command(config: DistributedConfig) -> str:
    return (f"atlas bench --suite {config.suite} --task {config.task} --framework {config.framework} "
            f"--workers {config.workers}")


def baseline_of(config: DistributedConfig) -> DistributedConfig:
    """The 1-worker run whose weights a multi-worker run is checked against."""
    return config.model_copy(update={"workers": 1, "scaling": ScalingKind.baseline,
                                     "per_worker_batch": config.equivalence_batch,
                                     "global_batch": config.equivalence_batch,
                                     "threads_per_worker": config.threads_per_worker * config.workers})


@dataclass
class DistributedReport:
    written: list[tuple[Path, DistributedResult]] = field(default_factory=list)
    kept: list[tuple[Path, DistributedResult]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False


class DistributedRunner:
    def __init__(self, results_dir: Path, host: environment.Host, progress: Any = None,
                 cache_dir: Path | None = None) -> None:
        self.results_dir, self.host, self.progress = results_dir, host, progress
        self.cache_dir = cache_dir or CACHE_DIR
        self.report = DistributedReport()

    def identity(self, config: DistributedConfig) -> str:
        versions = {**installed_versions(config.framework), "python": self.host.python}
        return run_identity(config, versions, self.host.machine_label(config.device))

    def result_path(self, config: DistributedConfig) -> Path:
        name = (f"distributed.{config.task}.{config.framework}.{config.workers}w.{config.scaling.value}."
                f"{config.suite}.{self.identity(config)}")
        return self.results_dir / self.host.machine_slug(config.device) / f"{name}.json"

    def stored(self, config: DistributedConfig) -> tuple[Path | None, DistributedResult | None]:
        path = self.result_path(config)
        try:
            return path, DistributedResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError):
            return None, None

    def run(self, plan: list[DistributedConfig], resume: bool = False,
            retry_failed: bool = False) -> DistributedReport:
        run_plan(plan, self.report, self.progress, self.stored if resume else lambda _: (None, None),
                 self.result_path, self.run_one, retry_failed)
        return self.report

    # --- one run ------------------------------------------------------------------------------------------------

    def folder(self, config: DistributedConfig) -> Path:
        return self.cache_dir / config.suite / f"{config.task}.{config.framework}.{config.workers}w." \
                                               f"{config.scaling.value}.{self.identity(config)}"

    def launch(self, config: DistributedConfig, folder: Path) -> launch.Launched:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        request = folder / "request.json"
        request.write_text(json.dumps({"config": config.model_dump(mode="json"), "folder": str(folder)}),
                           encoding="utf-8")
        env = worker_env(SimpleNamespace(threads=config.threads_per_worker,
                                         inter_op_threads=methodology.INTER_OP_THREADS, device=config.device))
        env.pop("ATLAS_BENCH_RUNNER_PID", None)  # the workers' parent is their launcher, not this runner
        env["ATLAS_REPO_ROOT"] = str(environment.REPO_ROOT)
        env["GLOO_SOCKET_IFNAME"] = env.get("GLOO_SOCKET_IFNAME", "lo")  # gloo on the loopback interface only
        module = ENGINES[config.framework]["module"]
        if config.framework == "pytorch":
            return launch.run_processes([launch.torchrun_command(config.workers, module, request)], [env], folder,
                                        config.timeout_s, fail_fast=False)
        ports = launch.free_ports(config.workers)
        envs = [{**env, "TF_CONFIG": launch.tf_config(ports, index),
                 **({"CUDA_VISIBLE_DEVICES": str(index)} if config.device == "cuda" else {})}
                for index in range(config.workers)]
        commands = [[sys.executable, "-m", module, str(request)]] * config.workers
        return launch.run_processes(commands, envs, folder, config.timeout_s, fail_fast=True,
                                    private_network="network namespace" in config.launcher)

    def reference(self, config: DistributedConfig) -> tuple[Path, str | None]:
        """The baseline's folder (its weights), running a reference-only baseline when none is there."""
        baseline = baseline_of(config)
        folder = self.folder(baseline)
        if not (folder / CHECKED_WEIGHTS).exists():
            short = baseline.model_copy(update={"warmup_steps": 1, "measured_steps": 1, "repeats": 1})
            launched = self.launch(short, folder)
            if not (folder / CHECKED_WEIGHTS).exists():
                return folder, f"the 1-worker reference run failed: {_death(launched)}"
        return folder, None

    def run_one(self, config: DistributedConfig, result_id: str) -> DistributedResult:
        load_before = os.getloadavg()
        meter = environment.CpuShareMeter()
        meter.start()
        started = dt.datetime.now(dt.UTC)
        folder = self.folder(config)
        launched = self.launch(config, folder)
        payloads = _read_payloads(folder, config.workers)
        failure, check = None, None
        if len(payloads) < config.workers or any(code != 0 for code in launched.returncodes):
            failure = _failure(config, folder, launched, len(payloads))
        elif config.workers > 1:
            reference, problem = self.reference(config)
            if problem:
                failure = DistributedFailure(stage=DistributedStage.equivalence, kind=FailureKind.error,
                                             message=problem[:500], detail=launched.log_tail[-4000:])
            else:
                try:
                    check = equivalence.compare(reference / INITIAL_WEIGHTS, reference / CHECKED_WEIGHTS,
                                                folder / INITIAL_WEIGHTS, folder / CHECKED_WEIGHTS,
                                                reference="the 1-worker run of this task and framework "
                                                          f"(1 × {config.equivalence_batch})")
                except (OSError, ValueError) as error:  # unreadable or different weights: the check cannot pass
                    failure = DistributedFailure(stage=DistributedStage.equivalence, kind=FailureKind.error,
                                                 message=f"the weights could not be compared: {error}"[:500])
                if check is not None and not check.passed:
                    failure = DistributedFailure(
                        stage=DistributedStage.equivalence, kind=FailureKind.error,
                        message=f"the {config.workers}-worker weights differ from the 1-worker weights after one "
                                f"step: {check.max_rel_diff:.3g} of the update (tolerance {check.rtol:g}) in "
                                f"{check.worst_tensor}")
        if config.workers > 1:  # only the 1-worker references are needed again (ResNet-50: 200 MB, BERT: 900 MB)
            for name in (INITIAL_WEIGHTS, CHECKED_WEIGHTS):
                (folder / name).unlink(missing_ok=True)
        if launched.leftover:
            self.report.warnings.append(f"{result_id}: processes {launched.leftover} would not die")
        finished = dt.datetime.now(dt.UTC)
        common = {"result_id": result_id, "config": config, "started_at": started, "finished_at": finished,
                  "environment": self._environment(config, payloads, load_before, meter.stop()),
                  "versions": installed_versions(config.framework), "reproduce": reproduce_command(config),
                  "equivalence": check}
        if failure is not None:
            return DistributedResult(status=Status.failed, failure=failure, **common)
        return DistributedResult(status=Status.ok, **_measurements(config, payloads, launched), **common)

    def _environment(self, config: DistributedConfig, payloads: list[dict[str, Any]], load_before: tuple[float, ...],
                     foreign_share: float | None) -> Environment:
        host = self.host
        busy = host.busy_at_start() or (foreign_share or 0.0) > methodology.QUIET_FOREIGN_CPU_SHARE
        env = worker_env(SimpleNamespace(threads=config.threads_per_worker,
                                         inter_op_threads=methodology.INTER_OP_THREADS, device=config.device))
        versions = installed_versions(config.framework)
        version = next((versions[name] for name in ENGINES[config.framework]["packages"] if name in versions),
                       "not installed")
        gpu = host.gpu if config.device == "cuda" else None
        return Environment(
            hostname_hash=host.hostname_hash, machine_label=host.machine_label(config.device), os=host.os,
            python=host.python, cpu_model=host.cpu_model, cpu_cores_logical=host.cpu_cores_logical,
            cpu_cores_physical=host.cpu_cores_physical, memory_gb=host.memory_gb, framework_version=version,
            gpu_model=gpu.name if gpu else None, gpu_driver=gpu.driver if gpu else None,
            framework_build={key: str(value) for key, value in (payloads[0]["framework"] if payloads else {}).items()},
            thread_env={name: env[name] for name in environment.THREAD_ENV_VARS}, git_commit=host.git_commit,
            git_dirty=host.git_dirty, command=host.command, load_before=load_before, load_after=os.getloadavg(),
            busy=busy, foreign_cpu_share=foreign_share, **host.cpu_identity_fields(),
        )


def _read_payloads(folder: Path, workers: int) -> list[dict[str, Any]]:
    payloads = []
    for rank in range(workers):
        try:
            payloads.append(json.loads((folder / f"rank-{rank}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return payloads


def _code(code: int) -> str:
    return f"died from signal {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"


def _death(launched: launch.Launched) -> str:
    """How the run's processes ended, in one line: a signal first (the cause), then the exits it led to."""
    if launched.timed_out:
        return "no result within the timeout; every process of the run was killed"
    codes = sorted((code for code in launched.returncodes if code), key=lambda code: code >= 0)
    if not codes:
        return "every process exited normally"
    workers = list(dict.fromkeys(int(code) for code in re.findall(r"exitcode\s*:?\s*(-?\d+)", launched.log_tail)))
    errors = ERROR_LINE.findall(launched.log_tail)
    said = f" (workers: {', '.join(_code(code) for code in workers)})" if workers else ""
    said += f"; last error: {errors[-1].strip()}" if errors else ""
    return "a process " + ", another ".join(_code(code) for code in codes) + said


def _failure(config: DistributedConfig, folder: Path, launched: launch.Launched, written: int) -> DistributedFailure:
    if not (folder / INITIAL_WEIGHTS).exists():
        stage = DistributedStage.startup
    elif not (folder / CHECKED_WEIGHTS).exists():
        stage = DistributedStage.equivalence
    elif written == 0 or any(code != 0 for code in launched.returncodes):
        stage = DistributedStage.train
    else:
        stage = DistributedStage.collect
    if launched.timed_out:
        kind = FailureKind.timeout
        message = f"no result within the {config.timeout_s:g} s timeout; every process of the run was killed"
    elif all(code == 0 for code in launched.returncodes):
        kind, message = FailureKind.error, f"every process exited normally, but {config.workers - written} result " \
                                           "file(s) are missing"
    else:
        oom = "out of memory" in launched.log_tail.lower() or "MemoryError" in launched.log_tail
        kind = FailureKind.oom if oom else FailureKind.crash
        message = f"{_death(launched)} during {stage.value}"
    return DistributedFailure(stage=stage, kind=kind, message=message[:500], detail=launched.log_tail[-4000:])


def _measurements(config: DistributedConfig, payloads: list[dict[str, Any]],
                  launched: launch.Launched) -> dict[str, Any]:
    per_worker = [payload["repeat_times_s"] for payload in payloads]
    slowest = [max(times) for times in zip(*per_worker, strict=True)]
    summary = stats.throughput_summary(slowest, config.global_batch * config.measured_steps)
    rank0 = payloads[0]
    metrics = DistributedMetrics(
        throughput_samples_per_s=summary["throughput_samples_per_s"], throughput_ci95=summary["throughput_ci95"],
        step_time_s_median=summary["median_repeat_s"] / config.measured_steps, first_step_s=rank0["first_step_s"],
        startup_s=max(payload["startup_s"] for payload in payloads), launch_s=launched.wall_s,
        communication_share=rank0["communication_share"], communication_note=rank0["communication_note"])
    timing = DistributedTiming(repeat_times_s=slowest, worker_repeat_times_s=per_worker,
                               step_times_s=rank0["step_times_s"])
    return {"metrics": metrics, "timing": timing}
