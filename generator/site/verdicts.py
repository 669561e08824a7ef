"""Measured verdicts: a claim's declared comparison (``compares``) evaluated against every measured machine.

Why computed, not typed: a reader who sees "PyTorch is slower" marked unverified next to a table where PyTorch is
faster concludes the site does not read its own data. So the build evaluates the statement itself, per machine,
with the same comparison rows (and the same 95% intervals) as the benchmark pages, and the fact-check page, the
JSON API and ``invoke validate`` all read the result of this one module.

Outcomes per machine and task: the statement *holds*, *does not hold*, is *too close to call* (the 95% intervals
overlap, so the data cannot tell), or is *not measured at this scope*. A machine's outcome is its tasks' outcome
when they agree and *mixed* when they do not. Measurements outside the claim's scope (another device kind, a
smaller model than a claim about large models needs) are evaluated too and shown beside the verdict, but never
count towards it.

Adding a comparison kind is one evaluator function in :data:`EVALUATORS`. The deployment ones read the cells of
the ``deploy`` suite (never ``deploy-smoke``, whose tiny shapes mean nothing, never busy runs), the latest cell of
each model × export path per machine: *coverage* counts the cells that work, *latency* compares each framework's
fastest working fp32 path per model, as calls per second with the bootstrap interval of the median call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from generator.bench.accuracy.stats import FRAMEWORK_ORDER, AccuracyComparison, summarise_all
from generator.bench.stats import bootstrap_median_ci
from generator.kb.models import Claim, ClaimStatus, KnowledgeBase, MeasuredComparison, Metric, Scale
from generator.results.load import ResultSet
from generator.results.schema import DeploymentResult, DeployOutcome
from generator.site.benchmarks import PERFORMANCE_TASKS, Comparison, Machine, comparisons, machine_groups
from generator.site.charts import interval, number

# A claim about "large-scale models" is settled only by models at least this big (BERT-base has 110 M).
LARGE_MODEL_PARAMETERS = 1_000_000_000
# The benchmark entry (data/benchmarks/deployment.yaml) whose results the deployment metrics read, and their suite.
DEPLOYMENT_TASK = "deployment"
DEPLOYMENT_SUITE = "deploy"


# Readers' names for the models of the deployment tasks, which the results record by task id.
TASK_MODELS = {"image-classification": "ResNet-50", "sentiment-analysis": "BERT-base",
               "object-detection": "YOLOv8n"}
# Readers' names for the datasets the accuracy results record by id.
DATASET_NAMES = {"sklearn-digits": "the scikit-learn digits"}
PERCENT_PLACES = 2


class Outcome(StrEnum):
    holds = "holds"
    does_not_hold = "does not hold"
    too_close = "too close to call"
    not_measured = "not measured at this scope"
    mixed = "mixed"  # a machine's tasks disagree


# The statuses a person may give a claim whose measurements say this, everywhere in its scope.
COMPATIBLE_STATUSES: dict[Outcome, frozenset[ClaimStatus]] = {
    Outcome.holds: frozenset({ClaimStatus.supported}),
    Outcome.does_not_hold: frozenset({ClaimStatus.contradicted, ClaimStatus.outdated}),
    Outcome.too_close: frozenset({ClaimStatus.disputed, ClaimStatus.contradicted}),
    Outcome.mixed: frozenset({ClaimStatus.disputed}),
}
SUGGESTED_STATUS: dict[Outcome, ClaimStatus] = {
    Outcome.holds: ClaimStatus.supported,
    Outcome.does_not_hold: ClaimStatus.contradicted,
    Outcome.too_close: ClaimStatus.disputed,
    Outcome.mixed: ClaimStatus.disputed,
}


@dataclass(frozen=True)
class Side:
    """One framework's measured figure behind a verdict."""

    framework: str
    value: float
    low: float
    high: float
    unit: str
    mode: str | None = None
    result_id: str | None = None
    exact: bool = False  # a count, not an estimate: shown without an interval

    def text(self, names: dict[str, str]) -> str:
        name = names.get(self.framework, self.framework)
        places = PERCENT_PLACES if self.unit == "%" else None  # accuracies differ in the second decimal
        if self.exact:
            return f"{name} {number(self.value, places=places)}{self.unit}"
        mode = f", {self.mode}" if self.mode else ""
        spread = interval(self.low, self.high, self.value, brackets=False, places=places)
        return f"{name} {number(self.value, places=places)}{self.unit} [{spread}{mode}]"


@dataclass(frozen=True)
class TaskVerdict:
    task: str
    outcome: Outcome
    detail: str  # the numbers in words, e.g. "PyTorch 1.46× faster (train, fp32, best of each, batch 8)"
    sides: tuple[Side, ...] = ()
    in_scope: bool = True


@dataclass(frozen=True)
class MachineVerdict:
    where: str
    anchor: str | None  # the machine's anchor on the environments page (None for accuracy-parity groups)
    outcome: Outcome
    tasks: tuple[TaskVerdict, ...]


@dataclass(frozen=True)
class ClaimVerdicts:
    claim_id: str
    statement: str  # the declared comparison in words
    machines: tuple[MachineVerdict, ...]
    why_status_differs: str | None

    @property
    def measured(self) -> list[MachineVerdict]:
        """The machines with at least one measurement inside the claim's scope."""
        return [machine for machine in self.machines if machine.outcome is not Outcome.not_measured]

    def disagreement(self, status: ClaimStatus) -> ClaimStatus | None:
        """The status the measurements call for when ``status`` is incompatible with every measured machine."""
        measured = self.measured
        if not measured or any(status in COMPATIBLE_STATUSES[m.outcome] for m in measured):
            return None
        outcomes = {machine.outcome for machine in measured}
        return SUGGESTED_STATUS[outcomes.pop()] if len(outcomes) == 1 else ClaimStatus.disputed


# --------------------------------------------------------------------------------------------------------------
# Evaluators: one per metric, each yielding every machine's verdict.
# --------------------------------------------------------------------------------------------------------------


def _favoured(compares: MeasuredComparison, sides: list[Side], names: dict[str, str], unit_word: str,
              detail: str) -> tuple[Outcome, str]:
    """holds / does not hold / too close for 'X comes out ahead' or 'within P%', from two sides' intervals."""
    ranked = sorted(sides, key=lambda side: side.value, reverse=True)
    ahead, behind = ranked[0], ranked[-1]
    ratio = ahead.value / behind.value
    overlap = ahead.low <= behind.high
    if compares.favours is not None:
        words = (f"intervals overlap ({ratio:.2f}×)" if overlap
                 else f"{names.get(ahead.framework, ahead.framework)} {ratio:.2f}× {unit_word}")
        if overlap:
            return Outcome.too_close, f"{words}; {detail}"
        return (Outcome.holds if ahead.framework == compares.favours else Outcome.does_not_hold), f"{words}; {detail}"
    limit = 1 + compares.within_percent / 100  # type: ignore[operator]
    widest, narrowest = ahead.high / behind.low, max(ahead.low / behind.high, 1.0)
    words = f"{names.get(ahead.framework, ahead.framework)} {ratio:.2f}× {unit_word}; {detail}"
    if widest <= limit:
        return Outcome.holds, words
    if narrowest > limit:
        return Outcome.does_not_hold, words
    return Outcome.too_close, words


def _comparison_row(rows, task: str, compares: MeasuredComparison, names: dict[str, str]) -> Comparison | None:
    wanted = [c for c in comparisons(rows, task, names)
              if c.phase == compares.phase and c.precision == compares.precision and c.mode == compares.mode]
    return next((c for c in wanted if len(c.measured) == len(c.cells)), None)


def _in_scope(compares: MeasuredComparison, machine: Machine, comparison: Comparison) -> bool:
    if machine.device not in compares.scope.devices:
        return False
    if compares.scope.scale is Scale.large:
        return min(row.parameter_count for row in comparison.measured) >= LARGE_MODEL_PARAMETERS
    return True


# Benchmarks whose pages bear on a claim without a comparison computed here: the sweeps (how a speed verdict
# changes with batch, length and threads) and the distributed runs (which cannot speak for a cluster). A claim lists
# them in measured_by so the fact-check links them; no verdict counts them.
CONTEXT_TASKS = ("cost-sweeps", "distributed")


def _task_kind(task: str) -> str:
    if task in CONTEXT_TASKS:
        return "context"
    return ("deployment" if task == DEPLOYMENT_TASK else "speed" if task in PERFORMANCE_TASKS else "accuracy")


def applicable_tasks(claim: Claim) -> list[str]:
    """The tasks of ``measured_by`` whose results measure the declared metric (speed tasks for throughput, the
    deployment benchmark for the deployment metrics)."""
    assert claim.compares is not None
    metric = claim.compares.metric
    kind = "deployment" if metric.is_deployment else "speed" if metric is Metric.throughput else "accuracy"
    return [task for task in claim.measured_by if _task_kind(task) == kind]


def throughput_verdicts(claim: Claim, results: ResultSet, names: dict[str, str]) -> Iterator[MachineVerdict]:
    compares = claim.compares
    assert compares is not None
    tasks = applicable_tasks(claim)
    mode = "best of each" if compares.mode == "best" else compares.mode
    for machine, rows in machine_groups(results.frame):
        verdicts = []
        for task in tasks:
            comparison = _comparison_row(rows[rows["task"] == task], task, compares, names)
            if comparison is None:
                verdicts.append(TaskVerdict(task, Outcome.not_measured, "not measured on this machine"))
                continue
            sides = [Side(row.framework, row.throughput_samples_per_s, row.throughput_ci_low,
                          row.throughput_ci_high, " samples/s", row.mode, row.result_id)
                     for row in comparison.measured]
            detail = (f"{compares.phase}, {compares.precision}, {mode}, batch {comparison.batch_size}, "
                      f"{number(min(row.parameter_count for row in comparison.measured))} parameters")
            outcome, words = _favoured(compares, sides, names, "faster", detail)
            verdicts.append(TaskVerdict(task, outcome, words, tuple(sides), _in_scope(compares, machine, comparison)))
        yield MachineVerdict(machine.where, machine.anchor, _roll_up(verdicts), tuple(verdicts))


def accuracy_verdicts(claim: Claim, results: ResultSet, names: dict[str, str]) -> Iterator[MachineVerdict]:
    """The accuracy-parity statistics (the accuracy page's): the statement against the paired test's 95% CI."""
    compares = claim.compares
    assert compares is not None
    tasks = applicable_tasks(claim)
    for summary in summarise_all(results.accuracy):
        if summary.task not in tasks:
            continue
        verdict = _accuracy_task(compares, summary, names)
        dataset = DATASET_NAMES.get(summary.dataset, summary.dataset.replace("-", " "))
        yield MachineVerdict(f"accuracy-parity runs on {dataset} ({summary.epochs} epochs)", None,
                             _roll_up([verdict]), (verdict,))


def _accuracy_task(compares: MeasuredComparison, summary: AccuracyComparison, names: dict[str, str]) -> TaskVerdict:
    sides = tuple(Side(framework, 100 * s.final_accuracy.mean, 100 * s.final_accuracy.minimum,
                       100 * s.final_accuracy.maximum, "%") for framework, s in summary.frameworks.items())
    test = summary.test
    if test is None or test.ci95 is None:
        return TaskVerdict(summary.task, Outcome.not_measured, summary.verdict, sides)
    first, second = FRAMEWORK_ORDER
    low, high = (100 * bound for bound in test.ci95)  # first framework − second, in points
    detail = (f"{names.get(first, first)} − {names.get(second, second)}: {100 * test.mean_difference:+.2f} points, "
              f"95% CI [{low:+.2f}, {high:+.2f}] ({test.name}, n = {test.n})")
    if compares.favours is not None:
        if low <= 0 <= high:
            outcome = Outcome.too_close
        else:
            leader = first if low > 0 else second
            outcome = Outcome.holds if leader == compares.favours else Outcome.does_not_hold
    else:
        limit = compares.within_percent or 0
        outcome = (Outcome.holds if max(abs(low), abs(high)) <= limit
                   else Outcome.does_not_hold if min(abs(low), abs(high)) > limit and low * high > 0
                   else Outcome.too_close)
    return TaskVerdict(summary.task, outcome, detail, sides)


@dataclass(frozen=True)
class _DeployMachine:
    """The latest ``deploy`` cell of each model × export path on one machine, device and thread count."""

    machine: Machine
    cells: tuple[DeploymentResult, ...]


def _deploy_machines(claim: Claim, results: ResultSet) -> list[_DeployMachine]:
    """Busy cells never count, even with ``include_busy``: both metrics read the same cells, so they agree."""
    compares = claim.compares
    assert compares is not None
    latest: dict[tuple, DeploymentResult] = {}
    for cell in sorted(results.deployment, key=lambda r: r.finished_at):
        config = cell.config
        if config.suite != DEPLOYMENT_SUITE or cell.environment.busy:
            continue
        if compares.paths is not None and config.path not in compares.paths:
            continue
        group = (cell.environment.hostname_hash, config.device, config.threads)
        latest[(*group, config.task, config.path)] = cell
    grouped: dict[tuple, list[DeploymentResult]] = {}
    for key, cell in latest.items():
        grouped.setdefault(key[:3], []).append(cell)
    machines = []
    for (machine_id, device, threads), cells in sorted(grouped.items()):
        env = cells[-1].environment
        model = env.gpu_model if device == "cuda" and env.gpu_model else env.cpu_model
        machine = Machine(machine_id, device, threads, DEPLOYMENT_SUITE, env.machine_label, model)
        machines.append(_DeployMachine(machine, tuple(sorted(cells, key=lambda c: (c.config.task, c.config.path)))))
    return machines


def _failure_line(cell: DeploymentResult) -> str:
    """The first line of a failed cell's error; outputs-differ cells (no error, by the schema) say how far off."""
    if cell.failure is not None:
        return (cell.failure.message.strip().splitlines() or [cell.outcome.value])[0]
    assert cell.fidelity is not None
    return f"{cell.outcome.value} (max relative difference {cell.fidelity.max_rel_diff:.2g})"


def coverage_verdicts(claim: Claim, results: ResultSet, names: dict[str, str]) -> Iterator[MachineVerdict]:
    """Per machine, each framework's share of export-path cells (every model) that work, compared exactly."""
    compares = claim.compares
    assert compares is not None
    for group in _deploy_machines(claim, results):
        counts = {framework: [c for c in group.cells if c.config.source_framework == framework]
                  for framework in FRAMEWORK_ORDER}
        in_scope = group.machine.device in compares.scope.devices
        if not all(counts.values()):
            missing = ", ".join(names.get(f, f) for f, cells in counts.items() if not cells)
            verdict = TaskVerdict(DEPLOYMENT_TASK, Outcome.not_measured, f"no cell of {missing} on this machine",
                                  in_scope=in_scope)
        else:
            working = {f: sum(c.outcome is DeployOutcome.ok for c in cells) for f, cells in counts.items()}
            shares = {f: 100 * working[f] / len(counts[f]) for f in FRAMEWORK_ORDER}
            sides = tuple(Side(f, working[f], working[f], working[f],
                               f" of {len(counts[f])} cells work ({shares[f]:.0f}%)", exact=True)
                          for f in FRAMEWORK_ORDER)
            failed = "; ".join(f"{c.config.path} ({TASK_MODELS.get(c.config.task, c.config.task)}): {_failure_line(c)}"
                               for c in group.cells if c.outcome is not DeployOutcome.ok)
            difference = abs(shares[FRAMEWORK_ORDER[0]] - shares[FRAMEWORK_ORDER[1]])
            if compares.favours is not None:
                other = next(f for f in FRAMEWORK_ORDER if f != compares.favours)
                outcome = (Outcome.too_close if shares[compares.favours] == shares[other] else
                           Outcome.holds if shares[compares.favours] > shares[other] else Outcome.does_not_hold)
            else:
                outcome = Outcome.holds if difference <= compares.within_percent else Outcome.does_not_hold
            detail = f"the shares differ by {difference:.0f} percentage points; failed: {failed or 'none'}"
            verdict = TaskVerdict(DEPLOYMENT_TASK, outcome, detail, sides, in_scope)
        yield MachineVerdict(group.machine.where, group.machine.anchor, _roll_up([verdict]), (verdict,))


def _fastest_call(cells: list[DeploymentResult], framework: str) -> Side | None:
    """The framework's working fp32 cell with the lowest batch-1 p50 latency, as calls per second (1000 / p50 ms)
    with the bootstrap interval of the median call time mapped through it."""
    working = [c for c in cells if c.config.source_framework == framework and c.outcome is DeployOutcome.ok
               and c.config.precision == "fp32" and c.cost is not None]
    if not working:
        return None
    best = min(working, key=lambda c: c.cost.latency_ms_p50)
    low_s, high_s = bootstrap_median_ci(best.cost.latency_step_times_s)
    return Side(framework, 1000 / best.cost.latency_ms_p50, 1 / high_s, 1 / low_s, " calls/s", best.config.path,
                best.result_id)


def latency_verdicts(claim: Claim, results: ResultSet, names: dict[str, str]) -> Iterator[MachineVerdict]:
    """Per machine and model, the fastest working fp32 export path of each framework at batch 1."""
    compares = claim.compares
    assert compares is not None
    for group in _deploy_machines(claim, results):
        verdicts = []
        in_scope = group.machine.device in compares.scope.devices
        for task in sorted({c.config.task for c in group.cells}):
            cells = [c for c in group.cells if c.config.task == task]
            sides = [_fastest_call(cells, framework) for framework in FRAMEWORK_ORDER]
            if None in sides:
                verdicts.append(TaskVerdict(task, Outcome.not_measured, "no working fp32 export path of "
                                            + ", ".join(names.get(f, f) for f, s in zip(FRAMEWORK_ORDER, sides,
                                                                                         strict=True) if s is None),
                                            in_scope=in_scope))
                continue
            measured = [side for side in sides if side is not None]
            winner = max(measured, key=lambda side: side.value)
            detail = (f"batch 1, fp32, fastest working export path of each; fastest: {winner.mode} "
                      f"({names.get(winner.framework, winner.framework)})")
            outcome, words = _favoured(compares, measured, names, "faster", detail)
            verdicts.append(TaskVerdict(task, outcome, words, tuple(measured), in_scope))
        yield MachineVerdict(group.machine.where, group.machine.anchor, _roll_up(verdicts),
                             tuple(verdicts))


def _roll_up(verdicts: list[TaskVerdict]) -> Outcome:
    counted = {v.outcome for v in verdicts if v.in_scope and v.outcome is not Outcome.not_measured}
    if not counted:
        return Outcome.not_measured
    return counted.pop() if len(counted) == 1 else Outcome.mixed


EVALUATORS: dict[Metric, Callable[[Claim, ResultSet, dict[str, str]], Iterator[MachineVerdict]]] = {
    Metric.throughput: throughput_verdicts,
    Metric.accuracy: accuracy_verdicts,
    Metric.deploy_coverage: coverage_verdicts,
    Metric.deploy_latency: latency_verdicts,
}


def statement(compares: MeasuredComparison, names: dict[str, str]) -> str:
    """The declared comparison in words: 'TensorFlow has the higher training throughput (fp32, best of each) …'."""
    what = {Metric.throughput: f"{compares.phase} throughput", Metric.accuracy: "final test accuracy",
            Metric.deploy_coverage: "the share of export paths that work, over every model",
            Metric.deploy_latency: "batch-1 latency of its fastest working fp32 export path"}[compares.metric]
    if compares.metric is Metric.throughput:
        mode = "best of each" if compares.mode == "best" else compares.mode
        what += f" ({compares.precision}, {mode})"
    if compares.metric.is_deployment:
        what += f" (export paths: {', '.join(compares.paths) if compares.paths else 'all'})"
    unit = " percentage points" if compares.metric is Metric.deploy_coverage else "%"
    said = (f"{names.get(compares.favours, compares.favours)} comes out ahead in {what}" if compares.favours
            else f"the two are within {compares.within_percent:g}{unit} in {what}")
    scope = "/".join(compares.scope.devices)
    scale = (f", models of at least {number(LARGE_MODEL_PARAMETERS)} parameters"
             if compares.scope.scale is Scale.large else "")
    return f"{said}; scope: {scope}{scale}"


def claim_verdicts(claim: Claim, results: ResultSet, names: dict[str, str]) -> ClaimVerdicts | None:
    """Every machine's verdict on the claim's declared comparison (None when it declares none)."""
    if claim.compares is None:
        return None
    machines = tuple(EVALUATORS[claim.compares.metric](claim, results, names))
    return ClaimVerdicts(claim.id, statement(claim.compares, names), machines, claim.compares.why_status_differs)


def all_verdicts(kb: KnowledgeBase, results: ResultSet) -> dict[str, ClaimVerdicts]:
    """The verdicts of every claim that declares a comparison, by claim id."""
    known = {framework.id: framework.name for framework in kb.frameworks}
    names = {framework: known.get(framework, framework) for framework in FRAMEWORK_ORDER}
    verdicts = {}
    for claim in kb.claims:
        verdict = claim_verdicts(claim, results, names)
        if verdict is not None:
            verdicts[claim.id] = verdict
    return verdicts
