"""The deployment suite: plan the cells, run each one's export and run steps in subprocesses, write results.

Per task, once: the fixed input batch (NumPy, here) and the shared weights (a PyTorch worker). Per cell (task ×
path): an ``export`` worker in the source framework, then a ``run`` worker that imports only the runtime, each
under the suite's timeout and the speed runs' thread environment; then the fidelity check here, in NumPy. Every
way a cell can end is a result: a converter that raises or crashes (export-failed), an artifact that will not
load or run or kills its process (runtime-failed), outputs beyond the fp32 tolerance (outputs-differ), a package
that is not installed (not-installable), or ok with fidelity and cost.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from generator.bench import environment, methodology, registry, stats
from generator.bench.deploy import fidelity, models
from generator.bench.deploy.paths import load_path, path_specs
from generator.bench.deploy.worker import load_outputs, versions
from generator.bench.runner import (
    WorkerOutcome,
    failure_of,
    run_plan,
    run_worker,
    worker_env,
)
from generator.results.identity import run_identity
from generator.results.schema import (
    DeployConfig,
    DeployCost,
    DeployFailure,
    DeploymentResult,
    DeployOutcome,
    DeployStage,
    Environment,
    FailureKind,
    Fidelity,
    Tolerance,
)

WORKER = "generator.bench.deploy.worker"
ARTIFACT_NOTE = "artifact.txt"  # in a cell's work folder: where its artifact is (for a look or a rerun)
CACHE_DIR = environment.REPO_ROOT / ".bench-cache" / "deploy"
FRAMEWORK_DISTRIBUTIONS = {"pytorch": ("torch",), "tensorflow": ("tensorflow-cpu", "tensorflow")}


def build_plan(suite_name: str, host: environment.Host, tasks: tuple[str, ...] = (), paths: tuple[str, ...] = (),
               frameworks: tuple[str, ...] = (), timeout_s: float | None = None) -> list[DeployConfig]:
    suite = methodology.DEPLOY_SUITES[suite_name]
    plan = []
    for task in registry.task_packages():
        if tasks and task not in tasks:
            continue
        shape = dict(registry.load_common(task).SHAPES[suite.shapes])
        for path_id in path_specs():
            path = load_path(path_id)
            if (paths and path_id not in paths) or (frameworks and path.source not in frameworks):
                continue
            plan.append(DeployConfig(
                suite=suite.name, task=task, path=path_id, source_framework=path.source, format=path.format,
                converter=path.converter, runtime=path.runtime, precision=path.precision, device="cpu",
                threads=host.cpu_cores_logical, inter_op_threads=methodology.INTER_OP_THREADS, shape=shape,
                weights=models.weights_recipe(task),
                fidelity_samples=suite.fidelity_samples, throughput_batch=suite.throughput_batch,
                warmup_steps=suite.warmup_steps, latency_repeats=suite.latency_repeats,
                latency_steps=suite.latency_steps, throughput_repeats=suite.throughput_repeats,
                timeout_s=timeout_s or suite.timeout_s,
            ))
    return plan


def installed_versions(config: DeployConfig) -> dict[str, str]:
    return versions(load_path(config.path).packages)


def result_id(config: DeployConfig, host: environment.Host) -> str:
    """Configuration + the versions of every package of the path + Python + the machine
    (:func:`generator.results.identity.run_identity`): a new TensorFlow, a new converter or another machine makes a
    new result instead of being skipped by ``--resume``."""
    versions = {**installed_versions(config), "python": host.python}
    identity = run_identity(config, versions, host.machine_label(config.device))
    return f"deploy.{config.task}.{config.path}.{config.suite}.{identity}"


def reproduce_command(config: DeployConfig) -> str:
    return f"atlas bench --suite {config.suite} --task {config.task} --path {config.path}"


@dataclass
class DeployReport:
    written: list[tuple[Path, DeploymentResult]] = field(default_factory=list)
    kept: list[tuple[Path, DeploymentResult]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False


@dataclass
class _Step:
    """A failed step: which stage, and what the worker (or its death) said."""

    stage: DeployStage
    outcome: WorkerOutcome
    timeout_s: float


class DeployRunner:
    def __init__(self, results_dir: Path, host: environment.Host, progress: Any = None,
                 cache_dir: Path | None = None) -> None:
        self.results_dir, self.host, self.progress = results_dir, host, progress
        self.cache_dir = cache_dir or CACHE_DIR  # artifacts: kept for a look after the run, never committed
        self.report = DeployReport()
        self.prepared: dict[tuple[str, str], tuple[Path, Path, WorkerOutcome | None]] = {}

    def result_path(self, config: DeployConfig) -> Path:
        return self.results_dir / self.host.machine_slug(config.device) / f"{result_id(config, self.host)}.json"

    def stored(self, config: DeployConfig) -> tuple[Path | None, DeploymentResult | None]:
        """The cell's stored result, found by its identity (the file name carries it), or (None, None)."""
        path = self.result_path(config)
        try:
            return path, DeploymentResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError):
            return None, None

    def run(self, plan: list[DeployConfig], resume: bool = False, retry_failed: bool = False) -> DeployReport:
        run_plan(plan, self.report, self.progress, self.stored if resume else lambda _: (None, None),
                 self.result_path, self.run_one, retry_failed)
        return self.report

    # --- per task -----------------------------------------------------------------------------------------------

    def prepare(self, config: DeployConfig) -> tuple[Path, Path, WorkerOutcome | None]:
        """The fixed inputs and the shared weights of a task (once per suite); a failed weights step is returned."""
        key = (config.suite, config.task)
        if key not in self.prepared:
            folder = self.cache_dir / config.suite / config.task
            folder.mkdir(parents=True, exist_ok=True)
            inputs, weights = folder / "inputs.npz", folder / "weights.npz"
            np.savez(inputs, *models.fixed_inputs(config.task, config.shape, config.fidelity_samples))
            outcome = run_worker("weights", config, config.timeout_s, module=WORKER, extra={"weights": str(weights)})
            ok = outcome.payload is not None and outcome.payload.get("status") == "ok"
            self.prepared[key] = (inputs, weights, None if ok else outcome)
        return self.prepared[key]

    # --- per cell -----------------------------------------------------------------------------------------------

    def run_one(self, config: DeployConfig, result_id: str) -> DeploymentResult:
        load_before = os.getloadavg()
        meter = environment.CpuShareMeter()
        meter.start()
        started = dt.datetime.now(dt.UTC)
        inputs, weights, weights_failure = self.prepare(config)
        workdir = self.cache_dir / config.suite / config.task / config.path
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        files = {"inputs": str(inputs), "weights": str(weights), "workdir": str(workdir),
                 "reference": str(workdir / "reference.npz"), "outputs": str(workdir / "outputs.npz")}
        payloads: dict[str, dict[str, Any]] = {}
        failed: _Step | None = None
        if weights_failure is not None:
            failed = _Step(DeployStage.export, weights_failure, config.timeout_s)
        else:
            export = run_worker("export", config, config.timeout_s, module=WORKER, extra=files)
            if not _ok(export):
                failed = _Step(DeployStage.export, export, config.timeout_s)
            else:
                payloads["export"] = export.payload
                (workdir / ARTIFACT_NOTE).write_text(export.payload["artifact"], encoding="utf-8")
                run = run_worker("run", config, config.timeout_s, module=WORKER,
                                 extra={**files, "artifact": export.payload["artifact"]})
                if not _ok(run):
                    failed = _Step(_run_stage(run), run, config.timeout_s)
                else:
                    payloads["run"] = run.payload
        finished = dt.datetime.now(dt.UTC)
        common = {
            "result_id": result_id, "config": config, "started_at": started, "finished_at": finished,
            "environment": self._environment(config, load_before, meter.stop()),
            "versions": {**installed_versions(config), **payloads.get("export", {}).get("versions", {}),
                         **payloads.get("run", {}).get("versions", {})},
        }
        if failed is not None:
            outcome, failure = self._failure(config, failed)
            return DeploymentResult(outcome=outcome, failure=failure, **common)
        try:
            comparison = fidelity.compare(models.kind(config.task), config.precision,
                                          models.canonical_outputs(config.task, config.source_framework,
                                                                   load_outputs(Path(files["reference"]))),
                                          models.canonical_outputs(config.task, config.source_framework,
                                                                   load_outputs(Path(files["outputs"]))))
        except ValueError as error:  # a different number or shape of outputs: the artifact is not the model
            failure = DeployFailure(stage=DeployStage.run, kind=FailureKind.error, message=str(error)[:500],
                                    reproduce=reproduce_command(config))
            return DeploymentResult(outcome=DeployOutcome.runtime_failed, failure=failure, **common)
        record = Fidelity(**{**comparison.__dict__, "tolerance": Tolerance(**comparison.tolerance)})
        differs = record.tolerance.enforced and not record.within_tolerance
        return DeploymentResult(outcome=DeployOutcome.outputs_differ if differs else DeployOutcome.ok,
                                fidelity=record, cost=self._cost(config, payloads), **common)

    def _failure(self, config: DeployConfig, step: _Step) -> tuple[DeployOutcome, DeployFailure]:
        payload_failure = (step.outcome.payload or {}).get("failure") or {}
        if payload_failure.get("missing_package"):
            path = load_path(config.path)
            message = f"{payload_failure['message']} — install it with `{path.install}`"
            return DeployOutcome.not_installable, DeployFailure(
                stage=DeployStage.install, kind=FailureKind.unsupported, message=message[:500],
                detail=payload_failure.get("detail", ""), reproduce=reproduce_command(config))
        if payload_failure:  # the worker named the error
            kind, message = FailureKind(payload_failure["kind"]), payload_failure["message"]
            detail = payload_failure.get("detail", "")
        else:  # it died: how (signal, exit status, timeout), and the end of what it printed
            died = failure_of(step.outcome, step.timeout_s)
            kind, message, detail = died.kind, died.message.splitlines()[0], step.outcome.log_tail
        failure = DeployFailure(stage=step.stage, kind=kind, message=message[:500], detail=detail[-4000:],
                                reproduce=reproduce_command(config))
        outcome = DeployOutcome.export_failed if step.stage is DeployStage.export else DeployOutcome.runtime_failed
        return outcome, failure

    def _cost(self, config: DeployConfig, payloads: dict[str, dict[str, Any]]) -> DeployCost:
        export, run = payloads["export"], payloads["run"]
        steps = run["latency"]["step_times_s"]
        latency = stats.latency_percentiles_ms(steps)
        throughput = run.get("throughput")
        summary = stats.throughput_summary(throughput["repeat_times_s"], config.throughput_batch) if throughput else {}
        return DeployCost(
            export_s=export["export_s"], artifact_bytes=export["artifact_bytes"], load_s=run["load_s"],
            first_call_s=run["first_call_s"], latency_ms_p50=latency[50], latency_ms_p90=latency[90],
            latency_ms_p99=latency[99], latency_step_times_s=steps,
            throughput_samples_per_s=summary.get("throughput_samples_per_s"),
            throughput_ci95=summary.get("throughput_ci95"),
            throughput_repeat_times_s=throughput["repeat_times_s"] if throughput else [],
            throughput_note=run.get("throughput_note"), peak_rss_mb=run["peak_rss_mb"],
        )

    def _environment(self, config: DeployConfig, load_before: tuple[float, ...],
                     foreign_share: float | None) -> Environment:
        host, env = self.host, worker_env(config)
        busy = host.busy_at_start() or (foreign_share or 0.0) > methodology.QUIET_FOREIGN_CPU_SHARE
        found = installed_versions(config)
        version = next((found[name] for name in FRAMEWORK_DISTRIBUTIONS[config.source_framework] if name in found),
                       "not installed")
        return Environment(
            hostname_hash=host.hostname_hash, machine_label=host.machine_label(config.device), os=host.os,
            python=host.python, cpu_model=host.cpu_model, cpu_cores_logical=host.cpu_cores_logical,
            cpu_cores_physical=host.cpu_cores_physical, memory_gb=host.memory_gb, framework_version=version,
            thread_env={name: env[name] for name in environment.THREAD_ENV_VARS}, git_commit=host.git_commit,
            git_dirty=host.git_dirty, command=host.command, load_before=load_before, load_after=os.getloadavg(),
            busy=busy, foreign_cpu_share=foreign_share, **host.cpu_identity_fields(),
        )


def _ok(outcome: WorkerOutcome) -> bool:
    return outcome.payload is not None and outcome.payload.get("status") == "ok"


def _run_stage(outcome: WorkerOutcome) -> DeployStage:
    """Loading the artifact and calling it fail differently; a worker that died says nothing, so: run."""
    stage = ((outcome.payload or {}).get("failure") or {}).get("stage")
    return DeployStage.load if stage == "load" else DeployStage.run
