"""Identical initial weights give identical first-step losses in both frameworks, run as the suite runs them.

Each framework runs in its own worker subprocess from the same ``.npz``. Tolerance: the first step's loss
(≈ 2.3, a float32 mean over 32 samples of a 10-way softmax cross-entropy) agrees to 1e-5 absolute (about 4e-6
relative; measured ~2e-7, i.e. float32 rounding). The next nine steps, after optimiser updates, agree to 1e-4
(measured ~1e-5): identical up to rounding, which then grows as training amplifies it. A second run of each
framework reproduces its own losses exactly (the page says runs are deterministic per seed).
"""

from __future__ import annotations

import pytest
import tensorflow  # noqa: F401 - the bench extra is required: a missing framework fails loudly
import torch  # noqa: F401 - the bench extra is required: a missing framework fails loudly

from generator.bench.accuracy import port
from generator.bench.accuracy.runner import run_worker
from generator.bench.accuracy.spec import TrainConfig, initial_weights

pytestmark = [pytest.mark.bench, pytest.mark.slow]

FIRST_STEP_TOLERANCE = 1e-5
EARLY_STEPS_TOLERANCE = 1e-4


def test_identical_initial_weights_give_identical_first_step_losses(tmp_path):
    seed = 7
    cfg = TrainConfig()
    weights = initial_weights(cfg, seed)
    path = tmp_path / "init.npz"
    port.save_weights(path, weights)
    def probe(framework: str) -> dict:
        job = {"framework": framework, "seed": seed, "config": cfg.as_dict(), "weights": str(path), "probe_steps": 10}
        return run_worker(job, tmp_path, timeout_s=300)

    pt, tf = probe("pytorch"), probe("tensorflow")
    assert probe("pytorch")["step_losses"] == pt["step_losses"]  # deterministic: bit for bit
    assert probe("tensorflow")["step_losses"] == tf["step_losses"]
    assert pt["weights_sha256"] == tf["weights_sha256"] == port.weights_digest(weights)
    assert len(pt["step_losses"]) == len(tf["step_losses"]) == 10
    assert 2.0 < pt["initial_loss"] < 2.7  # near ln(10): an untrained 10-way classifier
    assert abs(pt["initial_loss"] - tf["initial_loss"]) <= FIRST_STEP_TOLERANCE
    for step, (a, b) in enumerate(zip(pt["step_losses"], tf["step_losses"]), start=1):
        assert abs(a - b) <= EARLY_STEPS_TOLERANCE, f"step {step}: pytorch {a}, tensorflow {b}"
