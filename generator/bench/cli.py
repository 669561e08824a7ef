"""``atlas bench`` / ``invoke bench``: plan a suite for this machine, run it, print what it measured.

Examples::

    atlas bench --suite smoke                       # every code path, tiny shapes (~2 minutes on 2 cores)
    atlas bench --suite standard --resume           # the CPU results the site shows; continue after a stop
    atlas bench --suite full --device cuda          # batch-size sweeps on a GPU
    atlas bench --task image-classification --framework pytorch --mode compiled --dry-run
    atlas bench --reproduce data/results/<machine>/<id>.json
    atlas bench --suite deploy                      # every export path of every model, on this machine's CPU
    atlas bench --suite deploy-smoke --path torch-onnx,tf-onnx --task image-classification
    atlas bench --suite distributed                 # data-parallel training, 1 and 2 workers, both engines
    atlas bench --suite distributed-smoke --framework pytorch --workers 1,2
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from generator.bench import environment, methodology, registry, report
from generator.bench.plan import DEFAULT_FRAMEWORKS, Filters, build_plan
from generator.bench.runner import SuiteRunner
from generator.results.schema import PerformanceResult

EXIT_INTERRUPTED = 130


def _csv(values: list[str] | None) -> tuple[str, ...]:
    """``--task a,b --task c`` → (a, b, c)."""
    return tuple(v.strip() for value in values or [] for v in value.split(",") if v.strip())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="atlas bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", choices=[*methodology.SUITES, "accuracy", *methodology.DEPLOY_SUITES,
                                        *methodology.DISTRIBUTED_SUITES],
                   default="standard")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto: the GPU if nvidia-smi finds one, else the CPU")
    p.add_argument("--framework", action="append", help=f"repeatable or comma-separated: {', '.join(DEFAULT_FRAMEWORKS)}")
    p.add_argument("--task", action="append", help="repeatable or comma-separated task ids")
    p.add_argument("--mode", action="append", help="eager, graph (TensorFlow), compiled")
    p.add_argument("--precision", action="append", help="fp32, bf16, fp16")
    p.add_argument("--phase", action="append", help="train, inference")
    p.add_argument("--resume", action="store_true", help="skip configurations that already have a result")
    p.add_argument("--retry-failed", action="store_true", help="with --resume: run failed configurations again")
    p.add_argument("--reproduce", metavar="RESULT_JSON", type=Path,
                   help="run exactly the configuration of a stored result again (a new result beside it)")
    p.add_argument("--results-dir", type=Path, default=Path("data/results"))
    p.add_argument("--timeout", type=float, help="seconds per run (default: the suite's)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument("--quiet-wait", type=float, metavar="SECONDS",
                   help="wait up to this long for a quiet machine before starting (default: the suite's)")
    p.add_argument("--seeds", type=int, help="accuracy suite: seeds per framework")
    p.add_argument("--epochs", type=int, help="accuracy suite: epochs per run")
    p.add_argument("--path", action="append",
                   help="deploy suites: export path ids, repeatable or comma-separated (e.g. torch-onnx,tf-litert-int8)")
    p.add_argument("--workers", action="append",
                   help="distributed suites: worker counts, repeatable or comma-separated (e.g. 1,2)")
    return p


def _run_accuracy(args: argparse.Namespace) -> int:
    from generator.bench.accuracy import run_suite  # imported only for this suite

    return run_suite(results_dir=args.results_dir, frameworks=list(_csv(args.framework) or DEFAULT_FRAMEWORKS),
                     seeds=args.seeds, epochs=args.epochs, resume=args.resume)


def _run_deploy(args: argparse.Namespace, console: Console) -> int:
    from generator.bench.deploy.paths import path_specs
    from generator.bench.deploy.runner import DeployRunner
    from generator.bench.deploy.runner import build_plan as build_deploy_plan

    host = environment.capture_host(["atlas", "bench", *sys.argv[1:]] if args.argv is None else
                                    ["atlas", "bench", *args.argv])
    unknown = set(_csv(args.path)) - set(path_specs())
    if unknown:
        console.print(f"unknown path(s): {', '.join(sorted(unknown))} — use {', '.join(path_specs())}")
        return 1
    if args.device == "cuda":
        console.print("the deploy suites run on the CPU (the runtimes' CPU paths): nothing to run on cuda")
        return 0
    plan = build_deploy_plan(args.suite, host, tasks=_csv(args.task), paths=_csv(args.path),
                             frameworks=_csv(args.framework), timeout_s=args.timeout)
    return _run_cells(args, console, host, "cpu", plan, report.deploy_plan_table, DeployRunner,
                      report.deploy_summary_table, "cell", lambda result: result.outcome != "ok", "not ok")


def _run_distributed(args: argparse.Namespace, console: Console) -> int:
    from generator.bench.distributed.runner import FRAMEWORKS, DistributedRunner
    from generator.bench.distributed.runner import build_plan as build_distributed_plan

    host = environment.capture_host(["atlas", "bench", *(sys.argv[1:] if args.argv is None else args.argv)])
    unknown = set(_csv(args.framework)) - set(FRAMEWORKS)
    if unknown:
        console.print(f"unknown framework(s): {', '.join(sorted(unknown))} — use {', '.join(FRAMEWORKS)}")
        return 1
    try:
        workers = {int(count) for count in _csv(args.workers)}
    except ValueError:
        console.print(f"--workers takes whole numbers, got {', '.join(_csv(args.workers))} — e.g. --workers 1,2")
        return 1
    device = _resolve_device(args.device, host)
    plan = [config for config in build_distributed_plan(args.suite, host, device, tasks=_csv(args.task),
                                                        frameworks=_csv(args.framework), timeout_s=args.timeout)
            if not workers or config.workers in workers]
    return _run_cells(args, console, host, device, plan, report.distributed_plan_table, DistributedRunner,
                      report.distributed_summary_table, "run", lambda result: result.status == "failed", "failed")


def _run_cells(args: argparse.Namespace, console: Console, host: environment.Host, device: str, plan: list[Any],
               plan_table: Callable[..., Any], runner_class: Callable[..., Any], summary_table: Callable[..., Any],
               unit: str, is_failure: Callable[[Any], bool], failure_word: str) -> int:
    """The rest of a deployment or distributed suite once planned: dry run, quiet wait, the runs, the summary."""
    title = f"{args.suite} suite on {host.machine_label(device)}"
    if args.dry_run:
        console.print(plan_table(plan, f"{title}: {len(plan)} {unit}s"))
        return 0
    if not plan:
        console.print(f"nothing to run: the filters (or this machine's cores / GPUs) leave no {unit}")
        return 0
    wait_s = args.quiet_wait if args.quiet_wait is not None else methodology.QUIET_WAIT_S.get(
        "smoke" if args.suite.endswith("smoke") else "standard", 0.0)
    host = _wait_for_quiet(host, wait_s, console)
    if host.busy_at_start():
        console.print(f"[yellow]the machine is busy (load {host.load_at_start[0]:.2f}): results will be flagged busy")
    with report.SuiteProgress(console, len(plan)) as progress:
        outcome = runner_class(args.results_dir, host, progress).run(plan, resume=args.resume,
                                                                     retry_failed=args.retry_failed)
    rows = outcome.kept + outcome.written
    if rows:
        console.print(summary_table(rows, title))
    for warning in getattr(outcome, "warnings", []):
        console.print(f"[yellow]warning: {warning}")
    failed = sum(is_failure(result) for _, result in outcome.written)
    console.print(f"{len(outcome.written)} result(s) written to {args.results_dir / host.machine_slug(device)} "
                  f"({failed} {failure_word}), {len(outcome.kept)} kept from before")
    if outcome.interrupted:
        console.print("[yellow]interrupted: every finished result is saved; run again with --resume to continue")
        return EXIT_INTERRUPTED
    return 0


def _resolve_device(requested: str, host: environment.Host) -> str:
    return ("cuda" if host.gpu else "cpu") if requested == "auto" else requested


def _wait_for_quiet(host: environment.Host, wait_s: float, console: Console) -> environment.Host:
    """Give a job that just finished up to ``wait_s`` to wind down before the suite's starting load is recorded."""
    deadline = time.monotonic() + wait_s
    if host.busy_at_start() and wait_s > 0:
        console.print(f"waiting up to {wait_s:.0f} s for the load average ({host.load_at_start[0]:.2f}) to fall "
                      f"under {methodology.QUIET_LOAD_PER_CORE} per core…")
    while host.busy_at_start() and time.monotonic() < deadline:
        time.sleep(5)
        host = dataclasses.replace(host, load_at_start=os.getloadavg())
    return host


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Piped to a file or CI log, rich would wrap tables at 80 columns; a log can be wide.
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
    if args.suite == "accuracy":
        return _run_accuracy(args)
    if args.suite in methodology.DEPLOY_SUITES:
        args.argv = argv
        return _run_deploy(args, console)
    if args.suite in methodology.DISTRIBUTED_SUITES:
        args.argv = argv
        return _run_distributed(args, console)

    host = environment.capture_host(["atlas", "bench", *(sys.argv[1:] if argv is None else argv)])
    if args.reproduce:
        try:
            stored = PerformanceResult.model_validate_json(args.reproduce.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as error:
            reason = (error.strerror if isinstance(error, OSError) else
                      f"not a valid performance result ({error.error_count()} problem(s), first: "
                      f"{error.errors()[0]['msg']})")
            console.print(f"{args.reproduce}: {reason} — pass a file written by `atlas bench` under data/results/",
                          markup=False, highlight=False)
            return 1
        plan, device = [stored.config], stored.config.device
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dt%H%M%S")
        title = f"reproduce {stored.result_id}"
    else:
        device = _resolve_device(args.device, host)
        filters = Filters(frameworks=_csv(args.framework), tasks=_csv(args.task), modes=_csv(args.mode),
                          precisions=_csv(args.precision), phases=_csv(args.phase))
        unknown = set(filters.frameworks) - set(DEFAULT_FRAMEWORKS)
        if unknown:
            console.print(f"unknown framework(s): {', '.join(sorted(unknown))} — use {', '.join(DEFAULT_FRAMEWORKS)}")
            return 1
        suite = methodology.SUITES[args.suite]
        if device not in suite.devices:
            console.print(f"the {args.suite} suite runs on {', '.join(suite.devices)} only; this is {device}: nothing to run")
            return 0
        unknown_tasks = set(filters.tasks) - set(registry.task_packages())
        if unknown_tasks:
            console.print(f"unknown task(s): {', '.join(sorted(unknown_tasks))} — "
                          f"use {', '.join(registry.task_packages())}")
            return 1
        plan = build_plan(args.suite, device, host, filters, args.timeout)
        stamp = ""
        title = f"{args.suite} suite on {host.machine_label(device)}"

    if device == "cuda" and host.gpu is None:
        console.print("[yellow]skipped: no NVIDIA GPU found (nvidia-smi); the GPU paths run where one is present")
        return 0
    if args.dry_run:
        console.print(report.plan_table(plan, f"{title}: {len(plan)} runs"))
        return 0
    if not plan:
        console.print("nothing to run: the filters leave no configuration")
        return 0
    suite_name = plan[0].suite
    wait_s = args.quiet_wait if args.quiet_wait is not None else methodology.QUIET_WAIT_S.get(suite_name, 0.0)
    host = _wait_for_quiet(host, wait_s, console)
    if host.busy_at_start():
        console.print(f"[yellow]the machine is busy (load {host.load_at_start[0]:.2f}): results will be flagged busy")

    with report.SuiteProgress(console, len(plan)) as progress:
        runner = SuiteRunner(args.results_dir, host, progress, id_suffix=f".r{stamp}" if stamp else "")
        outcome = runner.run(plan, resume=args.resume, retry_failed=args.retry_failed)

    rows = outcome.kept + outcome.written
    if rows:
        console.print(report.summary_table(rows, title))
    for warning in outcome.warnings:
        console.print(f"[yellow]warning: {warning}")
    folder = args.results_dir / host.machine_slug(device)
    failed = sum(result.status == "failed" for _, result in outcome.written)
    console.print(f"{len(outcome.written)} result(s) written to {folder} ({failed} failed), "
                  f"{len(outcome.kept)} kept from before")
    if outcome.interrupted:
        console.print("[yellow]interrupted: every finished result is saved; run again with --resume to continue")
        return EXIT_INTERRUPTED
    return 0
