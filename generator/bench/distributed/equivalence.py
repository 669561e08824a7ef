"""Is the N-worker model the 1-worker model? Compare the weights after one step from the same weights and batch.

Both runs save the weights before and after the check step (canonical NumPy state dicts). Weights barely move in
one SGD step (learning rate 0.01), so a difference is measured against the step's *update*: for each tensor,
max |w_N − w_1| / max |w_1 − w_1 before|. A wrong gradient average (a sum instead of a mean, a worker's
gradients left out) is off by 50% or more of the update; float32 summation order by 1e-6 on a small network and up
to ~0.2% on ResNet-50 (see ``methodology.DISTRIBUTED_EQUIVALENCE_RTOL``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.bench import methodology
from generator.results.schema import Equivalence

METHOD = ("one SGD step from the same seeded weights on the same global batch, split between the workers; "
          "forward in inference mode (batch-norm running statistics, no dropout); per tensor "
          "max |w − w_ref| / max |update_ref|")


def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as archive:
        return {name: archive[name].astype(np.float64) for name in archive.files}


def compare(reference_initial: Path, reference_after: Path, initial: Path, after: Path, reference: str,
            rtol: float = methodology.DISTRIBUTED_EQUIVALENCE_RTOL,
            atol: float = methodology.DISTRIBUTED_EQUIVALENCE_ATOL) -> Equivalence:
    ref0, ref1, run0, run1 = (_load(path) for path in (reference_initial, reference_after, initial, after))
    if set(ref1) != set(run1):
        raise ValueError(f"different tensors: {sorted(set(ref1) ^ set(run1))[:5]}")
    initial_diff = max(float(np.max(np.abs(run0[name] - ref0[name]), initial=0.0)) for name in ref0)
    max_abs, max_rel, worst, passed = 0.0, 0.0, None, initial_diff <= atol
    for name in sorted(ref1):
        difference = float(np.max(np.abs(run1[name] - ref1[name]), initial=0.0))
        update = float(np.max(np.abs(ref1[name] - ref0[name]), initial=0.0))
        relative = difference / update if update > atol else 0.0
        if update <= atol and difference > atol:
            passed = False
        if worst is None or relative > max_rel:
            max_rel, worst = relative, name
        max_abs = max(max_abs, difference)
    passed = passed and max_rel <= rtol
    return Equivalence(reference=reference, method=METHOD, tensors=len(ref1), initial_max_abs_diff=initial_diff,
                       max_abs_diff=max_abs, max_rel_diff=max_rel, worst_tensor=worst, rtol=rtol, atol=atol,
                       passed=passed)
