"""Synthetic sweep-suite results with known answers: every number is made up (machine "SYNTHETIC test machine").

Step times follow a + b·batch with chosen a and b, so a crossover, a fitted cost model and a thread-scaling
efficiency are known in advance. PyTorch eager: low fixed cost, slow per sample; TensorFlow graph: the opposite, so
TensorFlow graph overtakes PyTorch eager between batch 2 and 4 (0.13 s vs 0.16 s at 2; 0.25 s vs 0.22 s at 4), by
more than the noise at both points.
"""

from __future__ import annotations

from generator.bench import methodology
from generator.results.schema import PerformanceResult
from tests.results.result_factory import performance

COSTS = {("pytorch", "eager"): (0.01, 0.06), ("tensorflow", "graph"): (0.10, 0.03)}
THREAD_SPEEDUP = {("pytorch", "eager"): 1.8, ("tensorflow", "graph"): 1.5}  # 2 threads over 1


def point(framework: str, mode: str, *, phase: str = "inference", batch: int = 8, threads: int = 2,
          seq_len: int | None = None, step_time_s: float | None = None) -> PerformanceResult:
    task = "sentiment-analysis" if seq_len else "image-classification"
    fixed, per_sample = COSTS[(framework, mode)]
    step = step_time_s or (fixed + per_sample * batch * ((seq_len or 128) / 128))
    result = performance(task, framework, mode, "fp32", phase, batch, step_time_s=step, repeats=3, measured_steps=1,
                         result_id=f"synthetic-sweep-{task}-{framework}-{mode}-{phase}-b{batch}-t{threads}"
                                   f"-s{seq_len or 0}")
    shape = {"seq_len": seq_len, "num_layers": 12} if seq_len else {"image_size": 224}
    config = result.config.model_copy(update={"suite": "sweep", "threads": threads, "shape": shape})
    return result.model_copy(update={"config": config})


def sweep() -> list[PerformanceResult]:
    results = []
    for framework, mode in COSTS:
        for batch in methodology.SWEEP_BATCH_SIZES:
            results.append(point(framework, mode, batch=batch))
        for seq_len in methodology.SWEEP_SEQUENCE_LENGTHS:
            results.append(point(framework, mode, seq_len=seq_len))
        fixed, per_sample = COSTS[(framework, mode)]
        two = fixed + per_sample * methodology.SWEEP_FIXED_BATCH  # the nominal 2-thread step at the fixed batch
        results.append(point(framework, mode, threads=1, step_time_s=two * THREAD_SPEEDUP[(framework, mode)]))
    return results
