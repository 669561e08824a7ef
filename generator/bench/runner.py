"""Runs a plan: every configuration in its own worker subprocess, every result written atomically as it finishes.

- One process per run (``python -m generator.bench.worker``): a framework is never imported twice in one
  process, nor both frameworks together, and a crash takes down only its own run.
- The same thread environment for both frameworks; CPU runs hide any GPU.
- A run that crashes, runs out of memory or times out becomes a ``failed`` result with its reason; the suite
  goes on. Ctrl-C or SIGTERM stops the current run without recording it; finished results stay, and
  ``--resume`` skips them next time: it skips a configuration only when a stored result has the same identity
  (configuration, framework and runtime versions, machine: ``generator.results.identity``), so a new framework
  version or another machine adds results beside the old ones.
- A worker dies with its runner (``generator.bench.worker.die_with_runner``): a runner killed with SIGKILL leaves
  no orphan loading the machine under the next measurement.
- The device's peak is calibrated once per (framework, device, precision, threads) per suite, in its own
  subprocess, the first time a run needs it, and so is the machine's peak for the run's precision: every witness
  (both frameworks and NumPy) on all the cores, the highest of them the denominator of every utilisation
  (``generator.bench.peaks``), whichever framework the run uses.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.bench import environment, methodology, peaks, stats
from generator.bench.plan import config_key
from generator.bench.worker import RUNNER_PID_ENV
from generator.results.identity import run_identity, runtime_versions, version_slug
from generator.results.schema import (
    Calibration,
    Environment,
    Failure,
    FailureKind,
    MachinePeak,
    Metrics,
    PerformanceResult,
    RunConfig,
    Status,
    Timing,
)

CALIBRATION_TIMEOUT_S = 300.0
LOG_TAIL_CHARS = 2500
DISTRIBUTIONS = {"pytorch": ("torch",), "tensorflow": ("tensorflow", "tensorflow-cpu")}


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename over ``path``: a reader (or an
    interrupted suite) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def worker_env(config: Any) -> dict[str, str]:
    """The worker's environment: identical thread settings whichever framework it imports."""
    env = dict(os.environ)
    threads, inter_op = str(config.threads), str(config.inter_op_threads)
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
               TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=inter_op)
    env.update(PYTHONHASHSEED="0", PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(environment.REPO_ROOT), env.get("PYTHONPATH")]))
    env[RUNNER_PID_ENV] = str(os.getpid())  # the worker checks it is still ours after arming its death signal
    if config.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU run must not touch a GPU, in either framework
    else:
        env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"  # GPU 0 is nvidia-smi's GPU 0, the one the result names
    return env


@dataclass
class WorkerOutcome:
    payload: dict[str, Any] | None  # None when the worker died before writing one
    returncode: int | None  # None when it was killed for running past its timeout
    log_tail: str


def run_worker(action: str, config: Any, timeout_s: float, *, module: str = "generator.bench.worker",
               extra: dict[str, Any] | None = None) -> WorkerOutcome:
    """One worker subprocess (``python -m <module> REQUEST``): ``config`` is a RunConfig, or any config with the
    same thread and device fields (the deployment worker's); ``extra`` adds keys to the request."""
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as folder:
        output, log_path = Path(folder) / "payload.json", Path(folder) / "worker.log"
        request = json.dumps({"action": action, "config": config.model_dump(mode="json"), "output": str(output),
                              **(extra or {})})
        with log_path.open("wb") as log:
            # Its own session: a timeout or an interrupt kills the worker's whole process group (compiler
            # subprocesses included), and a terminal's Ctrl-C reaches only the runner, which decides.
            process = subprocess.Popen([sys.executable, "-m", module, request],
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=worker_env(config), cwd=environment.REPO_ROOT, start_new_session=True)
            try:
                returncode: int | None = process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                returncode = None
            except BaseException:
                _kill_group(process)
                raise
        payload = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
    return WorkerOutcome(payload, returncode, tail)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def failure_of(outcome: WorkerOutcome, timeout_s: float) -> Failure:
    """Why a run produced no measurement, from the worker's own report or, if it died, its exit status."""
    if outcome.payload is not None and outcome.payload.get("status") == "failed":
        return Failure.model_validate(outcome.payload["failure"])
    tail = f"\n--- last worker output ---\n{outcome.log_tail}" if outcome.log_tail.strip() else ""
    code = outcome.returncode
    if code is None:
        kind, message = FailureKind.timeout, f"no result within the {timeout_s:g} s timeout; the worker was killed"
    elif code in (-signal.SIGKILL, 128 + signal.SIGKILL):
        kind, message = FailureKind.oom, "the worker was killed by SIGKILL, most likely by the out-of-memory killer"
    elif code < 0:
        kind, message = FailureKind.crash, f"the worker died from signal {signal.Signals(-code).name}"
    else:
        kind, message = FailureKind.crash, f"the worker exited with status {code} without a result"
    return Failure(kind=kind, message=(message + tail)[:4000])


def installed_version(framework: str) -> str:
    for distribution in DISTRIBUTIONS[framework]:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """``kill`` stops a suite the way Ctrl-C does: the current run is abandoned, finished ones stay."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def identity_of(result: PerformanceResult) -> str:
    """A stored result's identity, from what it recorded: older files without a CPU identity in their machine
    label are a different machine from any host that records one, so they are kept, never skipped wrongly."""
    env = result.environment
    versions = runtime_versions(env.framework_version, env.python,
                                env.gpu_driver if result.config.device == "cuda" else None)
    return run_identity(result.config, versions, env.machine_label)


def run_plan(plan: list[Any], report: Any, progress: Any, stored: Callable[[Any], tuple[Path | None, Any]],
             new_path: Callable[[Any], Path], run_one: Callable[[Any, str], Any], retry_failed: bool) -> None:
    """The suite loop every runner shares: skip what ``stored`` already has (unless it failed and
    ``retry_failed``), run the rest one by one, write each result atomically as it finishes (a retried failure
    replaces its own file), and stop cleanly on Ctrl-C or SIGTERM with every finished result kept."""
    with sigterm_as_interrupt():
        try:
            for index, config in enumerate(plan):
                previous_path, previous = stored(config)
                if previous is not None and not (retry_failed and previous.status is Status.failed):
                    report.kept.append((previous_path, previous))
                    if progress:
                        progress.starting(index, len(plan), config, True)
                    continue
                if progress:
                    progress.starting(index, len(plan), config, False)
                path = previous_path or new_path(config)
                result = run_one(config, path.stem)
                write_atomic(path, result.model_dump_json(indent=2) + "\n")
                report.written.append((path, result))
                if progress:
                    progress.finished(result)
        except KeyboardInterrupt:
            report.interrupted = True


@dataclass
class SuiteReport:
    written: list[tuple[Path, PerformanceResult]] = field(default_factory=list)
    kept: list[tuple[Path, PerformanceResult]] = field(default_factory=list)  # --resume: already there
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False


class SuiteRunner:
    def __init__(self, results_dir: Path, host: environment.Host, progress: Any = None, id_suffix: str = "") -> None:
        self.results_dir = results_dir
        self.id_suffix = id_suffix  # --reproduce: a new file beside the original, never over it
        self.host = host
        self.progress = progress  # generator.bench.report.Progress, or None for silence
        self.calibrations: dict[tuple[Any, ...], Calibration | None] = {}
        self.machine_peaks: dict[tuple[Any, ...], MachinePeak | None] = {}
        self.report = SuiteReport()

    def planned_identity(self, config: RunConfig) -> str:
        """The identity the run of ``config`` will have on this machine with the frameworks installed now."""
        gpu_driver = self.host.gpu.driver if config.device == "cuda" and self.host.gpu else None
        versions = runtime_versions(installed_version(config.framework), self.host.python, gpu_driver)
        return run_identity(config, versions, self.host.machine_label(config.device))

    def result_path(self, config: RunConfig) -> Path:
        """``<config key>.<framework version>.<identity>``: a new version or machine never overwrites a result."""
        name = f"{config_key(config)}.{version_slug(installed_version(config.framework))}." \
               f"{self.planned_identity(config)}{self.id_suffix}"
        return self.results_dir / self.host.machine_slug(config.device) / f"{name}.json"

    def stored_by_identity(self, devices: set[str]) -> dict[str, tuple[Path, PerformanceResult]]:
        """Every readable performance result in this machine's folders, by identity (whatever its file name)."""
        stored: dict[str, tuple[Path, PerformanceResult]] = {}
        for folder in sorted({self.results_dir / self.host.machine_slug(device) for device in devices}):
            for path in sorted(folder.glob("*.json")):
                try:
                    result = PerformanceResult.model_validate_json(path.read_text(encoding="utf-8"))
                except (OSError, ValidationError):
                    continue  # unreadable, or another kind of result: it identifies nothing here
                stored.setdefault(identity_of(result), (path, result))
        return stored

    def run(self, plan: list[RunConfig], resume: bool = False, retry_failed: bool = False) -> SuiteReport:
        stored = self.stored_by_identity({config.device for config in plan}) if resume else {}
        run_plan(plan, self.report, self.progress, lambda c: stored.get(self.planned_identity(c), (None, None)),
                 self.result_path, self.run_one, retry_failed)
        return self.report

    def calibration_for(self, config: RunConfig) -> Calibration | None:
        key = (config.framework, config.device, config.precision, config.threads, config.inter_op_threads,
               config.tf32)
        if key not in self.calibrations:
            outcome = run_worker("calibrate", config, CALIBRATION_TIMEOUT_S)
            if outcome.payload is not None and outcome.payload.get("status") == "ok":
                self.calibrations[key] = Calibration.model_validate(outcome.payload["calibration"])
            else:
                self.calibrations[key] = None
                reason = failure_of(outcome, CALIBRATION_TIMEOUT_S)
                self.report.warnings.append(f"calibration {' '.join(map(str, key[:3]))} failed "
                                            f"({reason.kind}): utilisation not reported — {reason.message[:300]}")
        return self.calibrations[key]

    def machine_peak_for(self, config: RunConfig) -> MachinePeak | None:
        """The machine's peak in the run's precision on all its cores: one denominator for every run, whatever
        its framework or thread count (a 1-thread run's utilisation is its share of the whole machine)."""
        threads = self.host.cpu_cores_logical if config.device == "cpu" else config.threads
        key = (config.device, config.precision, threads, config.inter_op_threads, config.tf32)
        if key not in self.machine_peaks:
            witnesses, missing = [], {}
            for framework in DISTRIBUTIONS:
                if installed_version(framework) == "not installed":
                    missing[framework] = "not installed on this machine"
                    continue
                found = self.calibration_for(config.model_copy(update={"framework": framework, "threads": threads}))
                if found is None:
                    missing[framework] = "its calibration failed (see the suite's warnings)"
                else:
                    witnesses.append(found)
            outcome = run_worker("calibrate-numpy", config.model_copy(update={"threads": threads}),
                                 CALIBRATION_TIMEOUT_S)
            if outcome.payload is not None and outcome.payload.get("status") == "ok":
                witnesses.append(Calibration.model_validate(outcome.payload["calibration"]))
            else:
                missing["numpy"] = failure_of(outcome, CALIBRATION_TIMEOUT_S).message.splitlines()[0]
            theoretical = ((None, "not derived for GPUs here: a datasheet figure would be cited data")
                           if config.device != "cpu" else
                           peaks.theoretical_cpu_peak(environment.cpuinfo_text(), threads, config.precision))
            self.machine_peaks[key] = peaks.machine_peak(config.precision, threads, witnesses, missing, theoretical)
        return self.machine_peaks[key]

    def run_one(self, config: RunConfig, result_id: str) -> PerformanceResult:
        calibration = self.calibration_for(config)
        machine_peak = self.machine_peak_for(config)
        load_before = os.getloadavg()
        meter = environment.CpuShareMeter()
        meter.start()
        started = dt.datetime.now(dt.UTC)
        outcome = run_worker("run", config, config.timeout_s)
        finished = dt.datetime.now(dt.UTC)
        foreign_share = meter.stop()
        env = self._environment(config, outcome.payload, load_before, os.getloadavg(), foreign_share)
        common = {"result_id": result_id, "config": config, "started_at": started, "finished_at": finished,
                  "environment": env, "calibration": calibration, "machine_peak": machine_peak}
        if outcome.payload is None or outcome.payload.get("status") != "ok":
            return PerformanceResult(status=Status.failed, failure=failure_of(outcome, config.timeout_s), **common)
        metrics = stats.run_metrics(
            batch_size=config.batch_size, measured_steps=config.measured_steps, train=config.phase == "train",
            compiled=config.mode != "eager", payload=outcome.payload,
            peak_flops_per_s=machine_peak.peak_flops_per_s if machine_peak else None)
        metrics["utilisation_denominator"] = "machine-peak"
        if metrics["utilisation"] is not None and metrics["utilisation"] > 1:
            self.report.warnings.append(f"{result_id}: achieved FLOP/s above the machine's measured peak "
                                        f"({metrics['utilisation']:.2f}×): utilisation not recorded")
            metrics["utilisation"] = None
        measurement = outcome.payload["measurement"]
        timing = Timing(repeat_times_s=measurement["repeat_times_s"], step_times_s=measurement["step_times_s"],
                        clock=methodology.CLOCK, synchronised=True)
        return PerformanceResult(status=Status.ok, metrics=Metrics(**metrics), timing=timing, **common)

    def _environment(self, config: RunConfig, payload: dict[str, Any] | None, load_before: tuple[float, ...],
                     load_after: tuple[float, ...], foreign_share: float | None) -> Environment:
        host = self.host
        framework = (payload or {}).get("framework") or {}
        gpu = host.gpu if config.device == "cuda" else None
        env = worker_env(config)
        thread_env = {name: env[name] for name in environment.THREAD_ENV_VARS} | framework.get("threads", {})
        busy = host.busy_at_start() or (foreign_share or 0.0) > methodology.QUIET_FOREIGN_CPU_SHARE
        return Environment(
            hostname_hash=host.hostname_hash, machine_label=host.machine_label(config.device), os=host.os,
            python=host.python, cpu_model=host.cpu_model, cpu_cores_logical=host.cpu_cores_logical,
            cpu_cores_physical=host.cpu_cores_physical, **host.cpu_identity_fields(), memory_gb=host.memory_gb,
            gpu_model=gpu.name if gpu else None, gpu_driver=gpu.driver if gpu else None,
            cuda_version=framework.get("cuda_version"), cudnn_version=framework.get("cudnn_version"),
            framework_version=framework.get("framework_version") or installed_version(config.framework),
            framework_build=framework.get("framework_build", {}), thread_env=thread_env,
            git_commit=host.git_commit, git_dirty=host.git_dirty, command=host.command,
            load_before=load_before, load_after=load_after, busy=busy, foreign_cpu_share=foreign_share,
        )
