"""Benchmark result documents: the schema every run writes and the site reads.

One JSON file per run under ``data/results/<device-slug>/<result_id>.json``, one kind per model: ``performance``
(a speed run), ``accuracy`` (a training run of the parity experiment), ``deployment`` (a model exported along one
path and run in its runtime), ``distributed`` (data-parallel training on N workers of a framework's own
engine). A failed run is a result too (with its reason) so a crash, an out-of-memory, a
timeout or a converter that rejects a model is visible instead of silently missing.

Conventions, stated once:
- FLOPs: 1 multiply-accumulate (MAC) = 2 FLOPs. ``flops_per_sample`` counts the forward pass for inference and
  forward + backward (3x forward) for a training step.
- Throughput is samples per second of the median repeat; the confidence interval is a 95% bootstrap interval of
  the median over repeats.
- ``utilisation`` = achieved FLOP/s / the machine's peak FLOP/s for that precision: one denominator per machine,
  the highest of a large-matmul calibration in PyTorch, in TensorFlow and in NumPy's BLAS (``machine_peak``), so
  the two frameworks' utilisation divide by the same number. ``Metrics.utilisation_denominator`` says which was
  used: results written before the machine peak existed divided by their own framework's calibration; the site
  re-derives theirs from the calibrations they recorded (``generator.results.peaks``).

This module imports no deep-learning framework: the site and the validators use it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RESULT_SCHEMA_VERSION = 1
FLOPS_PER_MAC = 2

TASKS = ("image-classification", "sentiment-analysis", "object-detection", "digits-accuracy")
FRAMEWORKS = ("tensorflow", "pytorch")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mode(StrEnum):
    eager = "eager"  # PyTorch eager / TF eager (Keras model called directly, no tf.function)
    graph = "graph"  # tf.function without XLA (TensorFlow's long-standing default for Keras fit/predict)
    compiled = "compiled"  # torch.compile / tf.function(jit_compile=True)


class Precision(StrEnum):
    fp32 = "fp32"
    bf16 = "bf16"  # mixed precision with bfloat16 compute, fp32 master weights
    fp16 = "fp16"  # mixed precision with float16 compute and loss scaling (GPUs)


class Phase(StrEnum):
    train = "train"
    inference = "inference"


class Status(StrEnum):
    ok = "ok"
    failed = "failed"


class FailureKind(StrEnum):
    crash = "crash"
    oom = "oom"
    timeout = "timeout"
    unsupported = "unsupported"  # e.g. bf16 requested on a device without it
    error = "error"


Task = Literal["image-classification", "sentiment-analysis", "object-detection", "digits-accuracy"]
FrameworkId = Literal["tensorflow", "pytorch"]
Positive = Annotated[float, Field(gt=0)]


class RunConfig(_Model):
    """What ran. Two results with equal configs (and environments) are comparable repeats of each other."""

    suite: str
    task: Task
    framework: FrameworkId
    mode: Mode
    precision: Precision
    phase: Phase
    batch_size: int = Field(ge=1)
    device: Literal["cpu", "cuda"]
    threads: int = Field(ge=1, description="Intra-op threads, equal for both frameworks on CPU.")
    inter_op_threads: int = Field(ge=1)
    channels_last: bool = False
    xla: bool = False
    tf32: bool = False
    shape: dict[str, int] = Field(default_factory=dict, description="e.g. image_size, seq_len, num_classes")
    warmup_steps: int = Field(ge=0)
    measured_steps: int = Field(ge=1, description="Steps per repeat.")
    repeats: int = Field(ge=1)
    timeout_s: float = Field(gt=0)


class Calibration(_Model):
    """The device's achievable peak as one library sees it: a large square matmul in one precision."""

    peak_flops_per_s: Positive
    matmul_size: int = Field(ge=1)
    dtype: str
    framework: Literal["tensorflow", "pytorch", "numpy"] = Field(
        description="The library that ran the matmul: a framework, or NumPy's BLAS as a third witness.")
    measured_at: dt.datetime


class MachinePeak(_Model):
    """One denominator per machine and precision: the highest calibration of all witnesses, beside the peak the
    hardware's datasheet arithmetic gives (where it can be derived)."""

    precision: Precision
    threads: int = Field(ge=1, description="The threads every witness ran with: all the cores the runs use.")
    peak_flops_per_s: Positive = Field(description="The highest witness: the measured peak of this machine.")
    source: Literal["tensorflow", "pytorch", "numpy"] = Field(description="Which witness gave the peak.")
    witnesses: list[Calibration] = Field(min_length=1, description="Every calibration that ran, each library's own.")
    missing_witnesses: dict[str, str] = Field(
        default_factory=dict, description="Witness → why it has no calibration (e.g. NumPy has no bfloat16 matmul).")
    theoretical_flops_per_s: Positive | None = Field(
        None, description="cores × clock × FLOPs per cycle per core, from /proc/cpuinfo and the cited table.")
    theoretical_basis: str = Field(description="How the theoretical peak was derived, or why it could not be.")

    @model_validator(mode="after")
    def _peak_is_the_highest_witness(self) -> MachinePeak:
        best = max(self.witnesses, key=lambda c: c.peak_flops_per_s)
        if abs(best.peak_flops_per_s - self.peak_flops_per_s) > 1e-6 * self.peak_flops_per_s or best.framework != \
                self.source:
            raise ValueError("peak_flops_per_s and source must be the highest witness's")
        return self


class Metrics(_Model):
    throughput_samples_per_s: Positive
    throughput_ci95: tuple[float, float] = Field(description="95% bootstrap CI of the median throughput.")
    step_time_s_median: Positive
    latency_ms_p50: Positive | None = Field(None, description="Per-step latency at batch 1 (None otherwise).")
    latency_ms_p90: Positive | None = None
    latency_ms_p99: Positive | None = None
    peak_memory_mb: Positive | None = Field(None, description="Peak memory of the run; None where not measurable.")
    memory_kind: Literal["device", "host-rss-delta", "host-rss"] | None = None
    first_step_s: Positive = Field(description="Wall time of the very first step, compilation included.")
    compile_s: float | None = Field(None, ge=0, description="first_step_s minus a steady step, in compiled mode.")
    flops_per_sample: Positive
    achieved_flops_per_s: Positive
    utilisation: float | None = Field(None, ge=0, le=1)
    utilisation_denominator: Literal["framework-calibration", "machine-peak"] = Field(
        "framework-calibration",
        description="What utilisation divides by: this framework's own calibration (results before the machine "
                    "peak) or the machine's peak (``machine_peak``), the same for both frameworks.")
    parameter_count: int = Field(ge=1)


class Timing(_Model):
    """Every repeat's raw wall time (seconds for ``measured_steps`` steps) and every step's, for review."""

    repeat_times_s: list[Positive] = Field(min_length=1)
    step_times_s: list[Positive] = Field(default_factory=list)
    clock: str = "time.perf_counter"
    synchronised: bool = Field(description="The device was synchronised before each clock read.")


class Failure(_Model):
    kind: FailureKind
    message: str = Field(max_length=4000)


class Environment(_Model):
    hostname_hash: str = Field(description="Short hash of the host name: groups runs by machine, reveals nothing.")
    machine_label: str = Field(description="Human label, e.g. '2-core x86-64 CPU (AMD EPYC 7B13)'.")
    os: str
    python: str
    cpu_model: str
    cpu_cores_logical: int = Field(ge=1)
    cpu_cores_physical: int | None = None
    # CPU identity from /proc/cpuinfo (recorded since the results of many machines; None in older results): two
    # CPUs sold under one name differ here, and so do their machine labels.
    cpu_vendor: str | None = None
    cpu_family: int | None = None
    cpu_model_number: int | None = None
    cpu_stepping: int | None = None
    cpu_flags_digest: str | None = Field(None, description="sha256 of the sorted CPU flags, 12 hex digits.")
    memory_gb: float = Field(gt=0)
    gpu_model: str | None = None
    gpu_driver: str | None = None
    cuda_version: str | None = None
    cudnn_version: str | None = None
    framework_version: str
    framework_build: dict[str, str] = Field(default_factory=dict, description="e.g. mkl/onednn flags, CUDA build")
    thread_env: dict[str, str] = Field(default_factory=dict, description="OMP_NUM_THREADS and friends as set.")
    git_commit: str
    git_dirty: bool
    command: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    busy: bool = Field(description="Load before or after exceeded the quiet threshold: not for the site.")
    foreign_cpu_share: float | None = Field(
        None, ge=0, le=1,
        description="Share of the machine's CPU time other processes used during the run (from /proc/stat, minus "
        "the benchmark's own); above methodology.QUIET_FOREIGN_CPU_SHARE the run is flagged busy.",
    )


class PerformanceResult(_Model):
    kind: Literal["performance"] = "performance"
    schema_version: Literal[1] = RESULT_SCHEMA_VERSION
    result_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{5,200}$")
    status: Status
    config: RunConfig
    started_at: dt.datetime
    finished_at: dt.datetime
    environment: Environment
    metrics: Metrics | None = None
    timing: Timing | None = None
    calibration: Calibration | None = None
    machine_peak: MachinePeak | None = None
    failure: Failure | None = None

    @model_validator(mode="after")
    def _status_matches_content(self) -> PerformanceResult:
        if self.status is Status.ok and (self.metrics is None or self.timing is None):
            raise ValueError("status 'ok' needs metrics and timing; a run without them must be status 'failed'")
        if self.status is Status.failed and self.failure is None:
            raise ValueError("status 'failed' needs a failure with its kind and message")
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self


class EpochRecord(_Model):
    epoch: int = Field(ge=1)
    train_loss: float = Field(ge=0)
    test_accuracy: float = Field(ge=0, le=1)
    elapsed_s: float = Field(ge=0)


class AccuracyResult(_Model):
    """One training run (one framework, one seed) of the accuracy-parity suite."""

    kind: Literal["accuracy"] = "accuracy"
    schema_version: Literal[1] = RESULT_SCHEMA_VERSION
    result_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{5,200}$")
    status: Status
    suite: str
    task: Task
    dataset: str
    framework: FrameworkId
    seed: int
    config: dict[str, str | int | float | bool] = Field(description="Optimiser, schedule, batch, precision, ...")
    started_at: dt.datetime
    finished_at: dt.datetime
    environment: Environment
    epochs: list[EpochRecord] = Field(default_factory=list)
    initial_loss: float | None = Field(None, description="Loss of the first step, from the shared initial weights.")
    final_test_accuracy: float | None = Field(None, ge=0, le=1)
    target_accuracy: float | None = Field(None, ge=0, le=1)
    time_to_target_s: float | None = Field(None, ge=0, description="None if the target was never reached.")
    failure: Failure | None = None


class DeployOutcome(StrEnum):
    """What became of one export path: a failure is a finding the site shows, never a gap."""

    ok = "ok"
    export_failed = "export-failed"  # the converter raised, crashed or timed out
    runtime_failed = "runtime-failed"  # the artifact would not load or run in its runtime
    outputs_differ = "outputs-differ"  # it ran, but its outputs break the fp32 tolerance of the fidelity check
    not_installable = "not-installable"  # a package the path needs cannot be installed beside the pinned frameworks


class DeployStage(StrEnum):
    install = "install"
    export = "export"
    load = "load"
    run = "run"


class DeployConfig(_Model):
    """One export path of one model: source framework → format → runtime, and how its cost is measured."""

    suite: str
    task: Task
    path: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,60}$", description="e.g. torch-onnx, tf-litert-int8")
    source_framework: FrameworkId
    format: str = Field(min_length=1, description="The deployed artifact, e.g. 'ONNX', 'LiteRT flatbuffer'.")
    converter: str = Field(min_length=1, description="The API that writes it, e.g. 'torch.onnx.export (dynamo)'.")
    runtime: str = Field(min_length=1, description="What loads and runs it, e.g. 'ONNX Runtime (CPU EP)'.")
    precision: Literal["fp32", "int8-dynamic"]
    device: Literal["cpu", "cuda"]
    threads: int = Field(ge=1, description="Intra-op threads of the runtime, as in the speed runs.")
    inter_op_threads: int = Field(ge=1)
    shape: dict[str, int] = Field(default_factory=dict)
    weights: str | None = Field(None, description="How the shared weights were made, e.g. 'PyTorch initialisation, "
                                                  "seed 0'; part of the cell's identity.")
    fidelity_samples: int = Field(ge=1, description="Samples of the fixed input batch the outputs are compared on.")
    throughput_batch: int = Field(ge=2)
    warmup_steps: int = Field(ge=1, description="Untimed calls before each timed series (the first is timed apart).")
    latency_repeats: int = Field(ge=1)
    latency_steps: int = Field(ge=1, description="Batch-1 calls per latency repeat.")
    throughput_repeats: int = Field(ge=1)
    timeout_s: float = Field(gt=0, description="Per subprocess (export, then run).")


class DeployFailure(_Model):
    stage: DeployStage
    kind: FailureKind
    message: str = Field(min_length=1, max_length=500, description="The first line of the error.")
    detail: str = Field("", max_length=4000, description="The end of the worker's error output.")
    reproduce: str = Field(min_length=1, description="The command that runs this cell again.")
    source: str | None = Field(None, description="Where the reason is documented (a URL), for a package conflict.")


class Tolerance(_Model):
    """The fidelity bar of a precision (generator.bench.deploy.fidelity.TOLERANCES)."""

    atol: float = Field(ge=0)
    rtol: float = Field(ge=0, description="Relative to the largest magnitude of the source outputs.")
    min_agreement: float = Field(ge=0, le=1, description="Top-1 (classifier) or matched-box (detector) share.")
    enforced: bool = Field(description="False for int8: its drift is reported, never failed.")


class Fidelity(_Model):
    samples: int = Field(ge=1)
    max_abs_diff: float = Field(ge=0)
    max_rel_diff: float = Field(ge=0, description="max |deployed − source| / max |source|, over every output.")
    top1_agreement: float | None = Field(None, ge=0, le=1, description="Classifiers: same argmax, share of samples.")
    box_agreement: float | None = Field(
        None, ge=0, le=1, description="Detector: matched boxes after NMS / max(source boxes, deployed boxes).")
    source_boxes: int | None = Field(None, ge=0)
    deployed_boxes: int | None = Field(None, ge=0)
    tolerance: Tolerance
    within_tolerance: bool


class DeployCost(_Model):
    export_s: float = Field(ge=0, description="Wall time of the export/conversion call(s), model build excluded.")
    artifact_bytes: int = Field(ge=1)
    load_s: float = Field(ge=0, description="Loading the artifact into its runtime, ready to run.")
    first_call_s: float = Field(ge=0, description="The first batch-1 call (lazy initialisation lands here).")
    latency_ms_p50: Positive
    latency_ms_p90: Positive
    latency_ms_p99: Positive
    latency_step_times_s: list[Positive] = Field(min_length=1)
    throughput_samples_per_s: Positive | None = None
    throughput_ci95: tuple[float, float] | None = None
    throughput_repeat_times_s: list[Positive] = Field(default_factory=list)
    throughput_note: str | None = Field(None, description="Why there is no batched throughput (a static batch-1 "
                                                          "artifact), when there is none.")
    peak_rss_mb: Positive = Field(description="Peak resident memory (VmHWM) of the runtime process, imports "
                                              "included: what a deployment has to provision.")


class DeploymentResult(_Model):
    """One cell of the deployment matrix: a model exported along one path and run in its runtime."""

    kind: Literal["deployment"] = "deployment"
    schema_version: Literal[1] = RESULT_SCHEMA_VERSION
    result_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{5,200}$")
    outcome: DeployOutcome
    config: DeployConfig
    started_at: dt.datetime
    finished_at: dt.datetime
    environment: Environment
    versions: dict[str, str] = Field(description="Every package of the path with its version: source framework, "
                                                 "converter, runtime.")
    fidelity: Fidelity | None = None
    cost: DeployCost | None = None
    failure: DeployFailure | None = None

    @property
    def status(self) -> Status:
        return Status.ok if self.outcome is DeployOutcome.ok else Status.failed

    @model_validator(mode="after")
    def _outcome_matches_content(self) -> DeploymentResult:
        if self.outcome is DeployOutcome.ok and (self.fidelity is None or self.cost is None):
            raise ValueError("outcome 'ok' needs fidelity and cost")
        if self.outcome is DeployOutcome.outputs_differ and self.fidelity is None:
            raise ValueError("outcome 'outputs-differ' needs the fidelity that differs")
        if self.outcome in (DeployOutcome.ok, DeployOutcome.outputs_differ):
            if self.failure is not None:
                raise ValueError(f"outcome {self.outcome.value!r} has no failure; remove it")
        elif self.failure is None:
            raise ValueError(f"outcome {self.outcome.value!r} needs a failure with its stage, message and command")
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self


class ScalingKind(StrEnum):
    """Which comparison a multi-worker run belongs to; the 1-worker run is the baseline of both."""

    baseline = "baseline"  # 1 worker with all the cores
    strong = "strong"  # the global batch of the baseline, split between the workers
    weak = "weak"  # the per-worker batch of the baseline on every worker


class DistributedStage(StrEnum):
    launch = "launch"  # the launcher or a worker process would not start
    startup = "startup"  # the process group / cluster did not form
    equivalence = "equivalence"  # the check step, or its comparison with the 1-worker reference
    train = "train"  # the timed steps
    collect = "collect"  # every worker exited, but a result file is missing or unreadable


class DistributedConfig(_Model):
    """One data-parallel run: which engine, how many workers with how many cores each, what batch."""

    suite: str
    task: Task
    framework: FrameworkId
    engine: str = Field(min_length=1, description="e.g. 'torch.distributed DistributedDataParallel'.")
    launcher: str = Field(min_length=1, description="e.g. 'torchrun', 'TF_CONFIG (one process per worker)'.")
    backend: str = Field(min_length=1, description="The collective implementation: gloo, nccl, ring.")
    mode: Mode
    precision: Literal["fp32"]
    device: Literal["cpu", "cuda"]
    workers: int = Field(ge=1)
    threads_per_worker: int = Field(ge=1, description="Each worker is pinned to this many cores and uses as many "
                                                      "intra-op threads.")
    scaling: ScalingKind
    per_worker_batch: int = Field(ge=1)
    global_batch: int = Field(ge=1)
    equivalence_batch: int = Field(ge=1, description="Global batch of the check step, the same for every run.")
    shape: dict[str, int] = Field(default_factory=dict)
    warmup_steps: int = Field(ge=1, description="Untimed steps before the repeats (the first is timed apart).")
    measured_steps: int = Field(ge=1, description="Steps per repeat.")
    repeats: int = Field(ge=1)
    timeout_s: float = Field(gt=0, description="For the whole run: every worker, start to exit.")


class DistributedTiming(_Model):
    """Raw times: each repeat's wall time is the slowest worker's (a data-parallel step ends when all have)."""

    repeat_times_s: list[Positive] = Field(min_length=1)
    worker_repeat_times_s: list[list[Positive]] = Field(min_length=1, description="Per worker (rank order).")
    step_times_s: list[Positive] = Field(default_factory=list, description="Rank 0's timed steps.")
    clock: str = "time.perf_counter"


class DistributedMetrics(_Model):
    throughput_samples_per_s: Positive = Field(description="Global samples per second of the median repeat.")
    throughput_ci95: tuple[float, float]
    step_time_s_median: Positive
    first_step_s: Positive = Field(description="The first training step (graph tracing, buffers) on rank 0.")
    startup_s: Positive = Field(description="Creating the process group / strategy until its first collective "
                                            "completed, slowest worker.")
    launch_s: Positive = Field(description="Wall time from starting the launcher to every worker's exit.")
    communication_share: float | None = Field(
        None, ge=0, le=1, description="Median share of a step's wall time with a gradient all-reduce in flight.")
    communication_note: str = Field(min_length=1, description="How the share was measured, or why there is none.")


class Equivalence(_Model):
    """One step from the same weights on the same global batch: this run's weights against the 1-worker run's."""

    reference: str = Field(min_length=1, description="What the weights are compared with.")
    method: str = Field(min_length=1)
    tensors: int = Field(ge=1)
    initial_max_abs_diff: float = Field(ge=0, description="Before the step: the runs started from equal weights.")
    max_abs_diff: float = Field(ge=0, description="max |w − w_ref| after the step, over every tensor.")
    max_rel_diff: float = Field(ge=0, description="Per tensor max |w − w_ref| / max |update_ref|; the largest.")
    worst_tensor: str | None = None
    rtol: float = Field(ge=0)
    atol: float = Field(ge=0)
    passed: bool


class DistributedFailure(_Model):
    stage: DistributedStage
    kind: FailureKind
    message: str = Field(min_length=1, max_length=500, description="The first line of the reason.")
    detail: str = Field("", max_length=4000, description="The end of the workers' output.")


class DistributedResult(_Model):
    """One data-parallel run: N workers of one framework's own engine on one machine."""

    kind: Literal["distributed"] = "distributed"
    schema_version: Literal[1] = RESULT_SCHEMA_VERSION
    result_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{5,200}$")
    status: Status
    config: DistributedConfig
    started_at: dt.datetime
    finished_at: dt.datetime
    environment: Environment
    versions: dict[str, str] = Field(description="The framework and the launcher's packages with their versions.")
    reproduce: str = Field(min_length=1, description="The command that runs this cell again.")
    metrics: DistributedMetrics | None = None
    timing: DistributedTiming | None = None
    equivalence: Equivalence | None = Field(None, description="None for the 1-worker run: it is the reference.")
    failure: DistributedFailure | None = None

    @model_validator(mode="after")
    def _status_matches_content(self) -> DistributedResult:
        if self.status is Status.ok:
            if self.metrics is None or self.timing is None:
                raise ValueError("status 'ok' needs metrics and timing")
            if self.failure is not None:
                raise ValueError("status 'ok' has no failure; remove it")
            if self.config.workers > 1 and (self.equivalence is None or not self.equivalence.passed):
                raise ValueError("a multi-worker run is 'ok' only with a passed equivalence check")
        elif self.failure is None:
            raise ValueError("status 'failed' needs a failure with its stage, kind and message")
        if self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        return self


Result = Annotated[PerformanceResult | AccuracyResult | DeploymentResult | DistributedResult,
                   Field(discriminator="kind")]


class ResultFile(_Model):
    """Wrapper used only to validate a loaded document through the discriminated union."""

    result: Result
