"""How the reference benchmarks measure, as data: the one place the harness and the site's methodology page read.

No framework import here (the site imports this module). Every number below is a choice a reviewer may
question, so each carries its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Training step ------------------------------------------------------------------------------------------
# The same optimiser in both frameworks: plain SGD with momentum (no weight decay, no schedule). Speed does not
# depend on the learning rate; equality does matter for the accuracy experiments that reuse the step.
OPTIMIZER = "SGD"
LEARNING_RATE = 0.01
MOMENTUM = 0.9
DATA_SEED = 0  # make_batch seed: both frameworks see byte-identical inputs
MODEL_SEED = 0

# --- Timing -------------------------------------------------------------------------------------------------
# Each run: one first step (timed on its own: compilation, tracing and allocator warm-up land here), then the
# rest of the warm-up steps (untimed), then `repeats` repeats of `measured_steps` steps. The device is
# synchronised after every step, so every step's time is a real end-to-end time; each repeat's wall time is stored.
CLOCK = "time.perf_counter"

# --- Statistics ---------------------------------------------------------------------------------------------
CONFIDENCE = 0.95  # the interval reported around the median
BOOTSTRAP_RESAMPLES = 10_000  # percentile bootstrap of the median over repeats
BOOTSTRAP_SEED = 0  # seeded: the same raw times always give the same interval
LATENCY_PERCENTILES = (50, 90, 99)  # of per-step times, reported for batch-1 runs
FLOPS_PER_MAC = 2  # 1 multiply-accumulate = 2 FLOPs, as in generator.results.schema
TRAIN_FLOPS_FACTOR = 3  # a training step ≈ forward + backward (2× forward) = 3× the forward FLOPs

# --- Machine state ------------------------------------------------------------------------------------------
# A run is flagged busy when processes other than the benchmark used more than this share of the machine's CPU
# time while it ran (read from /proc/stat, minus the benchmark's own CPU time). The load average alone cannot
# tell: on a 2-core machine a benchmark using both cores raises it to ~2 by itself, and back-to-back runs inherit
# the previous run's decaying load.
QUIET_FOREIGN_CPU_SHARE = 0.10
# Also flagged busy: a 1-minute load average above this many runnable processes per core *before* the suite
# starts (the runner measures it once, before it loads the machine itself).
QUIET_LOAD_PER_CORE = 0.5
# Before a suite whose results are meant for the site, the runner waits up to this long for the load average to
# fall under that threshold: the 1-minute average lags by about a minute, so a suite started right after another
# job (or another suite) would otherwise be flagged busy for that job's load. Smoke numbers mean nothing: no wait.
QUIET_WAIT_S = {"smoke": 0.0, "standard": 180.0, "full": 300.0, "sweep": 180.0}

# --- Threads and numerics -----------------------------------------------------------------------------------
# CPU: both frameworks get the same intra-op thread count (all the cores the process may use) and one inter-op
# thread (one socket; independent ops run one after another, each using every core), through their APIs and
# the OMP/MKL/TF environment variables alike.
INTER_OP_THREADS = 1
# GPU: TF32 is off for fp32 runs in both frameworks (PyTorch's default for matmuls, not TensorFlow's): "fp32"
# means IEEE fp32 arithmetic. Reduced-precision tensor-core speed is what the bf16/fp16 runs measure.
TF32 = False
# Channels-last memory layout for convolutional networks (inputs with an image_size): PyTorch converts model and
# input (memory_format=torch.channels_last, faster with oneDNN on CPU and tensor cores on GPU); Keras is NHWC by
# default. Recorded per run.
CHANNELS_LAST_FOR_IMAGES = True
# Modes. eager: the framework's define-by-run execution. graph (TensorFlow only): tf.function without XLA.
# compiled: torch.compile (inductor, default options) of the model / tf.function(jit_compile=True) (XLA).
MODES = {"pytorch": ("eager", "compiled"), "tensorflow": ("eager", "graph", "compiled")}
TORCH_COMPILE_OPTIONS: dict[str, str] = {}  # torch.compile defaults: inductor backend, mode "default"


# --- Peak calibration ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalibrationPlan:
    """A square matmul of ``size`` repeated: ``inner`` matmuls per timed trial, best of ``trials``."""

    size: int
    warmup: int
    trials: int
    inner: int


CALIBRATION = {
    "cpu": CalibrationPlan(size=2048, warmup=2, trials=7, inner=3),
    "cuda": CalibrationPlan(size=8192, warmup=5, trials=10, inner=20),
}


# --- Suites -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """A block of runs: every combination of the listed modes × precisions × phases × batch sizes.

    ``modes``/``precisions`` of ``None`` mean all of them (the framework's modes; the precisions the device
    supports). ``batch_sizes`` maps a task id to its batch sizes; ``"*"`` is the default for any other task.
    """

    phases: tuple[str, ...]
    batch_sizes: dict[str, tuple[int, ...]]
    modes: tuple[str, ...] | None = None
    precisions: tuple[str, ...] | None = None
    purpose: str = ""
    measured_steps: int | None = None  # overrides the suite's (latency percentiles need many steps)
    # Each entry is one point: the task's shape with these fields replaced (e.g. {"seq_len": 256}).
    shape_points: tuple[dict[str, int], ...] = ({},)
    # "all": every core the process may use; "powers-of-two": 1, 2, 4, … up to them (and the count itself).
    threads: str = "all"
    # On a GPU, more batch sizes per task beyond ``batch_sizes`` (memory, not time, is the limit there: a size
    # that does not fit is recorded as an out-of-memory result, which is where the sweep ends).
    cuda_batch_sizes: dict[str, tuple[int, ...]] | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    warmup_steps: int  # includes the timed first step
    measured_steps: int  # per repeat
    repeats: int
    timeout_s: float  # per run, the whole subprocess (start-up and compilation included)
    sweeps: tuple[Sweep, ...]
    devices: tuple[str, ...] = ("cpu", "cuda")
    shapes: str | None = None  # which of the tasks' SHAPES (default: the suite's own name)


SUITES: dict[str, Suite] = {
    "smoke": Suite(
        name="smoke",
        description=(
            "Tiny shapes through every code path: both frameworks, every task, every mode and precision, training "
            "and inference. Checks the harness end to end; its numbers mean nothing."
        ),
        warmup_steps=1,
        measured_steps=2,
        repeats=2,
        timeout_s=300,
        sweeps=(
            # The harness's own paths (mode × precision × phase) do not depend on the task, so they are covered
            # pairwise on one task: every (mode, precision), (mode, phase) and (precision, phase) pair runs once
            # per framework. Each run is a fresh process (a framework import and a model build: 3-5 s on 2 cores),
            # so the run count is what keeps the suite short.
            Sweep(phases=("train",), batch_sizes={"image-classification": (2,), "*": ()}, modes=("eager",),
                  precisions=("fp32",)),
            Sweep(phases=("inference",), batch_sizes={"image-classification": (1,), "*": ()}, modes=("eager",),
                  precisions=("bf16",)),
            Sweep(phases=("inference",), batch_sizes={"image-classification": (1,), "*": ()},
                  modes=("graph", "compiled"), precisions=("fp32",)),
            Sweep(phases=("train",), batch_sizes={"image-classification": (2,), "*": ()},
                  modes=("graph", "compiled"), precisions=("bf16",)),
            # Every other task's own code (model, loss, post-processing, FLOP count) in each phase it has, through
            # each framework's compiler: the path most likely to break on a new model.
            Sweep(phases=("train",), batch_sizes={"image-classification": (), "*": (2,)}, modes=("compiled",),
                  precisions=("bf16",)),
            Sweep(phases=("inference",), batch_sizes={"image-classification": (), "*": (1,)}, modes=("compiled",),
                  precisions=("fp32",)),
        ),
    ),
    "standard": Suite(
        name="standard",
        description=(
            "Real shapes sized for a 2-core CPU: ResNet-50 at 224×224, BERT-base at 128 tokens, YOLOv8n at 640×640. "
            "Inference throughput for every mode and precision, latency at batch 1, and training eager vs eager "
            "and compiled vs compiled. A step takes seconds on a CPU, so a repeat is one step and the five "
            "repeats are five step times; batch-1 latency runs ten steps per repeat for its percentiles."
        ),
        warmup_steps=2,
        measured_steps=1,
        repeats=5,
        timeout_s=900,
        sweeps=(
            Sweep(
                phases=("inference",),
                batch_sizes={"object-detection": (4,), "*": (8,)},
                purpose="inference throughput",
            ),
            Sweep(
                phases=("inference",),
                batch_sizes={"*": (1,)},
                precisions=("fp32",),
                measured_steps=10,
                purpose="inference latency at batch 1",
            ),
            Sweep(
                phases=("train",),
                batch_sizes={"*": (8,)},
                modes=("eager", "compiled"),
                purpose="training throughput: define-by-run against define-by-run, compiler against compiler",
            ),
        ),
    ),
    "full": Suite(
        name="full",
        description="Batch-size sweeps for a GPU: fp32 (TF32 off), bf16 and fp16, training and inference.",
        warmup_steps=10,
        measured_steps=20,
        repeats=5,
        timeout_s=1800,
        devices=("cuda",),
        sweeps=(
            Sweep(phases=("inference",), batch_sizes={"object-detection": (1, 8, 32, 64), "*": (1, 8, 32, 128, 256)}),
            Sweep(phases=("train",), batch_sizes={"*": (8, 32, 64, 128)}),
        ),
    ),
}

# How cost grows with the work. Every point is a normal result of the speed harness (its own process, raw repeats),
# in fp32, every mode of each framework: which one is a framework's "best" can change with the batch, and a
# crossover is only visible if both sides were measured at every point. The thread sweep repeats two points of the
# other sweeps on fewer cores; the 2-thread point is the same configuration as theirs and runs once.
SWEEP_BATCH_SIZES = (1, 2, 4, 8, 16, 32)
SWEEP_SEQUENCE_LENGTHS = (32, 64, 128, 256, 512)
SWEEP_FIXED_BATCH = 8
SUITES["sweep"] = Suite(
    name="sweep",
    description=(
        "Cost against the work at the standard shapes: ResNet-50 at batch 1–32 (inference and training), BERT-base "
        "at 32–512 tokens (inference, batch 8), and 1, 2, 4, … threads up to the cores (ResNet-50 inference and "
        "training, BERT inference, batch 8). fp32, every mode of each framework. A step takes 0.02–10 s on a "
        "2-core CPU: 2 warm-up steps, then 3 repeats of one step."
    ),
    warmup_steps=2,
    measured_steps=1,
    repeats=3,
    timeout_s=900,
    shapes="standard",
    sweeps=(
        Sweep(phases=("inference", "train"), batch_sizes={"image-classification": SWEEP_BATCH_SIZES, "*": ()},
              precisions=("fp32",), cuda_batch_sizes={"image-classification": (64, 128, 256, 512)},
              purpose="ResNet-50: throughput and latency against batch size"),
        Sweep(phases=("inference",), batch_sizes={"sentiment-analysis": (SWEEP_FIXED_BATCH,), "*": ()},
              precisions=("fp32",), shape_points=tuple({"seq_len": n} for n in SWEEP_SEQUENCE_LENGTHS),
              purpose="BERT-base: cost against sequence length (attention's quadratic term)"),
        Sweep(phases=("inference", "train"), batch_sizes={"image-classification": (SWEEP_FIXED_BATCH,), "*": ()},
              precisions=("fp32",), threads="powers-of-two", purpose="ResNet-50: scaling with threads"),
        Sweep(phases=("inference",), batch_sizes={"sentiment-analysis": (SWEEP_FIXED_BATCH,), "*": ()},
              precisions=("fp32",), threads="powers-of-two", purpose="BERT-base: scaling with threads"),
    ),
)
SWEEP_SUITES = ("sweep",)

PRECISIONS_BY_DEVICE = {"cpu": ("fp32", "bf16"), "cuda": ("fp32", "bf16", "fp16")}
FULL_SUITE_ONLY_PRECISIONS = ("fp16",)  # fp16 + loss scaling: the GPU sweep only


# --- Deployment ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeploySuite:
    """How every export path of every model is measured (``atlas bench --suite deploy``)."""

    name: str
    description: str
    shapes: str  # which of the tasks' SHAPES (smoke, standard)
    fidelity_samples: int  # the fixed input batch every path's outputs are compared on
    throughput_batch: int
    warmup_steps: int
    latency_repeats: int
    latency_steps: int
    throughput_repeats: int
    timeout_s: float  # per subprocess: the export, then the run


DEPLOY_SUITES: dict[str, DeploySuite] = {
    "deploy-smoke": DeploySuite(
        name="deploy-smoke",
        description="Every export path of every model at the smoke shapes: checks that each path exports, loads, "
                    "runs and agrees with its source. Its timings mean nothing.",
        shapes="smoke", fidelity_samples=8, throughput_batch=8, warmup_steps=1, latency_repeats=1,
        latency_steps=3, throughput_repeats=2, timeout_s=600,
    ),
    "deploy": DeploySuite(
        name="deploy",
        description="Every export path of ResNet-50 (224×224), BERT-base (128 tokens) and YOLOv8n (640×640) on the "
                    "machine's cores: fidelity on a fixed batch of 8, batch-1 latency (3 repeats × 10 calls: 30 "
                    "timed calls, so p99 is close to the slowest call), batch-8 throughput (5 repeats).",
        shapes="standard", fidelity_samples=8, throughput_batch=8, warmup_steps=3, latency_repeats=3,
        latency_steps=10, throughput_repeats=5, timeout_s=1500,
    ),
}

# Fidelity: a deployed model is compared with its own source model (same framework, same weights) on the suite's
# fixed batch. fp32 paths must agree to float32 rounding: kernels may fuse and reorder sums (|Δ| ~ 1e-6 of the
# outputs' scale), never change a decision. int8 (dynamic-range quantised weights) trades accuracy for size by
# design: its drift is reported, not failed. max_rel_diff is |Δ| over the largest source output, so a logit near
# zero cannot inflate it.
DEPLOY_TOLERANCES = {
    "fp32": {"atol": 1e-4, "rtol": 1e-3, "min_agreement": 1.0, "enforced": True},
    "int8-dynamic": {"atol": 0.0, "rtol": 0.0, "min_agreement": 0.0, "enforced": False},
}
# The detector's agreement is over boxes after NMS: a deployed box matches a source box of the same class with an
# IoU of at least this; agreement = matched / max(source boxes, deployed boxes). A score within float rounding of
# the 0.25 threshold may flip one box in hundreds, hence a 99% bar for fp32 detectors rather than 100%.
DEPLOY_BOX_MATCH_IOU = 0.9
DEPLOY_DETECTOR_MIN_AGREEMENT = 0.99
# Random weights and untrained batch-norm statistics (mean 0, variance 1) make a deep convnet's activations shrink
# layer by layer: at 640×640 the random YOLOv8n head's outputs are its biases to within ±1e-6, i.e. float32 rounding
# of 1.0, so every box would tie with every other and no check could tell a right output from a wrong one. For the
# detector the deployment suite therefore sets the batch-norm running statistics from the fixed batch (one pass in
# training mode), as training would; ResNet-50's logits already vary widely (standard deviation ~25) and keep
# torchvision's initialisation.
DEPLOY_RECALIBRATE_BATCH_NORM = ("object-detection",)
# Random weights with YOLOv8's class prior (class-logit bias log(5 / 80 / (640 / stride)²) ≈ −11.5 at stride 8)
# score every box below 1e-4, so none would clear the 0.25 confidence threshold and the box check would compare
# nothing. The deployment suite therefore sets those three bias vectors to 0 (scores ≈ 0.5) in the shared weights,
# for both frameworks alike; the speed benchmarks keep the prior (speed does not depend on bias values).
DEPLOY_DETECTOR_ZERO_CLASS_BIAS = True


# --- Distributed data-parallel training ---------------------------------------------------------------------
@dataclass(frozen=True)
class DistributedSuite:
    """How data-parallel training is measured (``atlas bench --suite distributed``).

    Per task and framework, three runs on one machine: 1 worker × ``global_batch`` (the baseline of both scaling
    kinds), ``workers`` × ``global_batch / workers`` (strong scaling: the global batch fixed) and ``workers`` ×
    ``global_batch`` (weak scaling: the per-worker batch fixed). The machine's cores are split evenly between the
    workers, so every run uses the same total cores and the baseline is the 1-worker run with those cores.
    """

    name: str
    description: str
    shapes: str  # which of the tasks' SHAPES (smoke, standard)
    tasks: tuple[str, ...]
    global_batch: int  # the strong-scaling global batch, the weak-scaling per-worker batch and the check's batch
    worker_counts: tuple[int, ...]
    warmup_steps: int  # includes the timed first step
    measured_steps: int  # per repeat
    repeats: int
    timeout_s: float  # per run: every worker's start-up, the check step and the timed steps


DISTRIBUTED_SUITES: dict[str, DistributedSuite] = {
    "distributed-smoke": DistributedSuite(
        name="distributed-smoke",
        description="Both engines at 1 and 2 workers on the tasks' tiny smoke shapes: checks launch, the "
                    "equivalence step, timing and collection end to end. Its timings mean nothing.",
        shapes="smoke", tasks=("image-classification", "sentiment-analysis"), global_batch=4, worker_counts=(1, 2),
        warmup_steps=1, measured_steps=2, repeats=2, timeout_s=240,
    ),
    "distributed": DistributedSuite(
        name="distributed",
        description="Data-parallel training of ResNet-50 (224×224) and BERT-base (128 tokens), fp32, at the "
                    "standard suite's training batch of 8: 1 worker × 8, 2 workers × 4 (strong scaling) and 2 "
                    "workers × 8 (weak scaling), the cores split evenly between the workers. A step takes seconds "
                    "on a CPU, so a repeat is one step: 2 warm-up steps, then 5 repeats.",
        shapes="standard", tasks=("image-classification", "sentiment-analysis"), global_batch=8,
        worker_counts=(1, 2), warmup_steps=2, measured_steps=1, repeats=5, timeout_s=900,
    ),
}

# The engines, as each framework ships them. PyTorch: DistributedDataParallel in processes started by torchrun,
# gloo on CPUs, NCCL on GPUs. TensorFlow: MultiWorkerMirroredStrategy in processes configured by TF_CONFIG, its
# ring collectives on CPUs, NCCL on GPUs. PyTorch runs eager (DDP's own mode); TensorFlow runs its custom training
# step under tf.function (the strategy's documented path: strategy.run inside a tf.function).
DISTRIBUTED_MODES = {"pytorch": "eager", "tensorflow": "graph"}
# The equivalence check: one SGD step from the same seeded weights on the same global batch, split between the
# workers, with the forward pass in inference mode (batch norm from its running statistics, no dropout), so a
# sample's gradient does not depend on which worker holds it and any difference is the engine's gradient averaging
# and update. In the timed training steps batch norm keeps per-worker statistics in both frameworks, as DDP and the
# strategy do by default (PyTorch's SyncBatchNorm has no CPU path). The bar: the 2-worker weights equal the
# 1-worker weights to float32 summation order, per tensor max |w_2 − w_1| over that tensor's largest update. A wrong
# average (a sum instead of a mean, one worker's gradients left out) is off by 50-100% of the update. Summation order
# is not: but through ResNet-50's 50 layers, with oneDNN choosing other convolution kernels for a batch of 4 than of
# 8, single elements move by up to ~0.2% of the update (2.2e-3 measured on this machine; the median tensor 1.5e-4),
# hence 1%.
DISTRIBUTED_EQUIVALENCE_RTOL = 1e-2
DISTRIBUTED_EQUIVALENCE_ATOL = 1e-6  # for a tensor whose update is (near) zero: its absolute difference
