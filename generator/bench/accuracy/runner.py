"""The accuracy-parity suite: for each seed, one shared set of initial weights, one worker per framework.

``run_suite`` is what ``invoke bench --suite accuracy`` calls (and ``python -m generator.bench.accuracy``). For
every seed it draws the initial weights once in NumPy, writes them to an ``.npz``, then starts one worker
subprocess per framework (:mod:`generator.bench.accuracy.worker`) that loads them, trains, and reports back. The
runner never imports TensorFlow or PyTorch. Each run becomes one :class:`~generator.results.schema.AccuracyResult`,
written atomically to ``<results_dir>/<machine-slug>/<result_id>.json``, a failed run included.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.bench import methodology
from generator.bench.accuracy import port, worker
from generator.bench.accuracy.spec import DATASET, SUITE, TASK, TrainConfig, initial_weights
from generator.bench.environment import CpuShareMeter, Host, capture_host
from generator.results.schema import AccuracyResult, Environment, EpochRecord, Failure, FailureKind, Status

FRAMEWORKS = ("tensorflow", "pytorch")
DEFAULT_SEEDS = 10
WORKER_TIMEOUT_S = 900.0
REPO_ROOT = Path(__file__).resolve().parents[3]


class WorkerError(RuntimeError):
    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def run_worker(job: dict, workdir: Path, timeout_s: float = WORKER_TIMEOUT_S) -> dict:
    """Run one job in a fresh interpreter (only that job's framework gets imported) and return its report."""
    cfg = TrainConfig.from_dict(job["config"])
    name = f"{job['framework']}-seed{job['seed']}{'-probe' if job.get('probe_steps') else ''}"
    job_path, out_path = workdir / f"{name}.job.json", workdir / f"{name}.out.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    env = {**os.environ, **worker.thread_environment(cfg.threads)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "generator.bench.accuracy.worker", str(job_path), str(out_path)]
    try:
        done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        raise WorkerError(FailureKind.timeout, f"the {name} worker ran past {timeout_s:.0f} s") from error
    if done.returncode != 0 or not out_path.exists():
        tail = (done.stderr or done.stdout or "").strip()[-3000:]
        kind = FailureKind.oom if done.returncode in (-9, 137) or "MemoryError" in tail else FailureKind.crash
        raise WorkerError(kind, f"the {name} worker exited with {done.returncode}: {tail}")
    return json.loads(out_path.read_text(encoding="utf-8"))


def environment(host: Host, report: dict | None, load_before: tuple[float, float, float],
                load_after: tuple[float, float, float], busy: bool) -> Environment:
    report = report or {}
    return Environment(
        hostname_hash=host.hostname_hash,
        machine_label=host.machine_label("cpu"),
        os=host.os,
        python=host.python,
        cpu_model=host.cpu_model,
        cpu_cores_logical=host.cpu_cores_logical,
        cpu_cores_physical=host.cpu_cores_physical,
        **host.cpu_identity_fields(),
        memory_gb=host.memory_gb,
        gpu_model=host.gpu.name if host.gpu else None,
        gpu_driver=host.gpu.driver if host.gpu else None,
        framework_version=report.get("framework_version", "not started"),
        framework_build={k: str(v) for k, v in report.get("framework_build", {}).items()},
        thread_env=report.get("thread_env", {}),
        git_commit=host.git_commit,
        git_dirty=host.git_dirty,
        command=host.command,
        load_before=load_before,
        load_after=load_after,
        busy=busy,
    )


def result_id(framework: str, seed: int, cfg: TrainConfig, started: dt.datetime) -> str:
    return f"accuracy-digits-{framework}-seed{seed}-{cfg.config_id}-{started:%Y%m%dt%H%M%Sz}"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def existing_ok(out_dir: Path, framework: str, seed: int, cfg: TrainConfig) -> Path | None:
    """A stored ok result of the same settings, framework and seed (for ``resume``)."""
    for path in sorted(out_dir.glob(f"accuracy-digits-{framework}-seed{seed}-{cfg.config_id}-*.json")):
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("status") == "ok":
                return path
        except (OSError, ValueError):
            continue
    return None


def run_one(host: Host, cfg: TrainConfig, framework: str, seed: int, weights_path: Path, weights_sha256: str,
            workdir: Path, timeout_s: float = WORKER_TIMEOUT_S) -> AccuracyResult:
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    meter = CpuShareMeter()
    meter.start()
    job = {"framework": framework, "seed": seed, "config": cfg.as_dict(), "weights": str(weights_path)}
    report: dict | None = None
    failure: Failure | None = None
    try:
        report = run_worker(job, workdir, timeout_s)
        if report["weights_sha256"] != weights_sha256:
            raise WorkerError(FailureKind.error, "the worker's initial weights differ from the shared ones")
    except WorkerError as error:
        failure = Failure(kind=error.kind, message=str(error)[:4000])
    foreign_share = meter.stop()
    load_after = os.getloadavg()
    busy = host.busy_at_start() or (foreign_share is not None and foreign_share > methodology.QUIET_FOREIGN_CPU_SHARE)
    config = cfg.as_result_config() | {
        "device": "cpu",
        "init_weights_sha256": weights_sha256,
        "data_sha256": (report or {}).get("data_sha256", ""),
        "foreign_cpu_share": round(foreign_share, 4) if foreign_share is not None else -1.0,
    }
    common = dict(
        result_id=result_id(framework, seed, cfg, started),
        suite=SUITE,
        task=TASK,
        dataset=DATASET,
        framework=framework,
        seed=seed,
        config=config,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        environment=environment(host, report, load_before, load_after, busy),
        target_accuracy=cfg.target_accuracy,
    )
    if failure is not None or report is None:
        return AccuracyResult(status=Status.failed, failure=failure, **common)
    return AccuracyResult(
        status=Status.ok,
        epochs=[EpochRecord(**epoch) for epoch in report["epochs"]],
        initial_loss=report["initial_loss"],
        final_test_accuracy=report["final_test_accuracy"],
        time_to_target_s=report["time_to_target_s"],
        **common,
    )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_suite(results_dir: Path, frameworks: list[str] | None = None, seeds: int | None = None,
              epochs: int | None = None, resume: bool = False, *, config: TrainConfig | None = None,
              argv: list[str] | None = None, log=_log) -> int:
    """Train every framework × seed; write one result each. Returns 0 when every run succeeded, else 1."""
    frameworks = list(frameworks or FRAMEWORKS)
    unknown = sorted(set(frameworks) - set(FRAMEWORKS))
    problems = [f"--framework: unknown {', '.join(unknown)} — use {' and/or '.join(FRAMEWORKS)}"] if unknown else []
    problems += [f"--{name}: {value} — give a whole number of at least 1"
                 for name, value in (("seeds", seeds), ("epochs", epochs)) if value is not None and value < 1]
    if problems:
        for problem in problems:
            log(f"accuracy suite: {problem}")
        return 1
    cfg = config or TrainConfig()
    if epochs is not None:
        cfg = TrainConfig.from_dict(cfg.as_dict() | {"epochs": epochs})
    seed_count = DEFAULT_SEEDS if seeds is None else seeds
    host = capture_host(argv)
    out_dir = Path(results_dir) / host.machine_slug("cpu")
    log(f"accuracy suite: {', '.join(frameworks)} × {seed_count} seeds × {cfg.epochs} epochs "
        f"(config {cfg.config_id}) -> {out_dir}")
    if host.busy_at_start():
        log(f"  note: the machine is loaded (load average {host.load_at_start[0]:.2f}); runs are flagged busy")
    failures = 0
    suite_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="atlas-accuracy-") as tmp:
        workdir = Path(tmp)
        for seed in range(seed_count):
            weights = initial_weights(cfg, seed)
            weights_path = workdir / f"init-seed{seed}.npz"
            port.save_weights(weights_path, weights)
            digest = port.weights_digest(weights)
            for framework in frameworks:
                if resume and (found := existing_ok(out_dir, framework, seed, cfg)):
                    log(f"  {framework} seed {seed}: kept {found.name}")
                    continue
                result = run_one(host, cfg, framework, seed, weights_path, digest, workdir)
                path = out_dir / f"{result.result_id}.json"
                write_atomically(path, result.model_dump_json(indent=1) + "\n")
                if result.status is Status.ok:
                    last = result.epochs[-1]
                    log(f"  {framework} seed {seed}: test accuracy {result.final_test_accuracy:.4f}, "
                        f"initial loss {result.initial_loss:.6f}, {last.elapsed_s:.1f} s training -> {path.name}")
                else:
                    failures += 1
                    log(f"  {framework} seed {seed}: FAILED ({result.failure.kind}) -> {path.name}")  # type: ignore[union-attr]
    log(f"accuracy suite finished in {time.perf_counter() - suite_start:.0f} s, {failures} failure(s)")
    return 1 if failures else 0
