"""One peak per machine and precision: the denominator every utilisation on that machine divides by.

Each framework's own matmul calibration is a witness of what the machine can do, not a property of the
framework: on one 2-core CPU PyTorch's oneDNN/MKL matmul reached 195.6 GFLOP/s and TensorFlow's 219.0, so
dividing each framework by its own figure would make the same achieved FLOP/s read as two different shares.
The machine's measured peak is therefore the highest of three witnesses (PyTorch, TensorFlow and NumPy's BLAS,
each in its own process with the same threads); the theoretical peak from the CPU's arithmetic is recorded beside
it where the table below can derive one. No framework import here: NumPy runs in a worker subprocess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.bench import methodology, timing
from generator.results.schema import Calibration, MachinePeak


@dataclass(frozen=True)
class VectorUnits:
    """FMA pipes per core and their width: what a core can retire per cycle in fp32."""

    name: str
    fma_pipes: int
    width_bits: int
    source: str  # where the figure is documented

    def fp32_flops_per_cycle(self) -> int:
        return self.fma_pipes * (self.width_bits // 32) * 2  # an FMA is 2 FLOPs per lane


# (vendor_id, cpu family, first model, last model) → vector units. Only CPUs whose FMA pipes are documented are
# here; any other CPU gets no theoretical peak (and says why) rather than a guess. The required flag is checked
# too: a hypervisor that hides AVX-512 leaves 256-bit units.
CPU_VECTOR_UNITS: tuple[tuple[str, int, int, int, str, VectorUnits], ...] = (
    ("AuthenticAMD", 0x1A, 0x00, 0x1F, "avx512f",
     VectorUnits("AMD Zen 5 (EPYC 9005 \u201cTurin\u201d): 512-bit datapath", fma_pipes=2, width_bits=512,
                 source="https://www.numberworld.org/blogs/2024_8_7_zen5_avx512_teardown/")),
    ("AuthenticAMD", 0x19, 0x10, 0x1F, "avx512f",
     VectorUnits("AMD Zen 4 (EPYC 9004 \u201cGenoa\u201d): AVX-512 double-pumped on 256-bit units", fma_pipes=2,
                 width_bits=256, source="https://www.numberworld.org/blogs/2024_8_7_zen5_avx512_teardown/")),
)


def _field(cpuinfo: str, name: str) -> str | None:
    match = re.search(rf"^{name}\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    return match.group(1).strip() if match else None


def theoretical_cpu_peak(cpuinfo: str, cores: int, precision: str) -> tuple[float | None, str]:
    """cores × clock × FLOPs per cycle per core, with the arithmetic spelled out, or why there is none.

    The clock is the one /proc/cpuinfo reports (on a VM, the host's nominal frequency): boost clocks can exceed
    it, so a measured peak above this figure is possible and is not an error.
    """
    if precision != "fp32":
        return None, (f"not derived for {precision}: the {precision} instructions' throughput per cycle is not in "
                      "the table (generator/bench/peaks.py)")
    vendor, family, model = _field(cpuinfo, "vendor_id"), _field(cpuinfo, "cpu family"), _field(cpuinfo, "model")
    flags = set((_field(cpuinfo, "flags") or "").split())
    mhz = _field(cpuinfo, "cpu MHz")
    if not (vendor and family and family.isdigit() and model and model.isdigit()):
        return None, "not derived: /proc/cpuinfo names no CPU family and model"
    for table_vendor, table_family, first, last, flag, units in CPU_VECTOR_UNITS:
        if vendor == table_vendor and int(family) == table_family and first <= int(model) <= last and flag in flags:
            break
    else:
        return None, (f"not derived: the FMA pipes of this CPU ({vendor} family {family} model {model}) are not in "
                      "the table of generator/bench/peaks.py — add them with a source")
    if not mhz:
        return None, "not derived: /proc/cpuinfo reports no clock"
    per_cycle = units.fp32_flops_per_cycle()
    value = cores * float(mhz) * 1e6 * per_cycle
    return value, (f"{cores} cores × {float(mhz):.0f} MHz (as /proc/cpuinfo reports) × {per_cycle} fp32 FLOPs per "
                   f"cycle ({units.fma_pipes} FMA pipes × {units.width_bits // 32} lanes × 2; {units.name}; "
                   f"source: {units.source})")


class NoWitness(Exception):
    """The witness cannot calibrate this precision (the reason is recorded in the peak)."""


def numpy_calibration(precision: str, device: str) -> Calibration:
    """NumPy's BLAS matmul on the CPU: the third witness, independent of either framework's kernels."""
    import numpy as np

    if device != "cpu":
        raise NoWitness("NumPy runs on the CPU only")
    if precision != "fp32":
        raise NoWitness(f"NumPy has no {precision} matmul")
    plan = methodology.CALIBRATION[device]
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((plan.size, plan.size), dtype=np.float32) for _ in range(2))
    out = np.empty_like(a)
    seconds = timing.best_time(lambda: np.matmul(a, b, out=out), lambda _: None, warmup=plan.warmup,
                               trials=plan.trials, inner=plan.inner)
    return Calibration(peak_flops_per_s=methodology.FLOPS_PER_MAC * plan.size**3 / seconds, matmul_size=plan.size,
                       dtype="float32", framework="numpy", measured_at=dt.datetime.now(dt.UTC))


def machine_peak(precision: str, threads: int, witnesses: list[Calibration], missing: dict[str, str],
                 theoretical: tuple[float | None, str]) -> MachinePeak | None:
    """The highest witness is the machine's measured peak; None when no witness calibrated at all."""
    if not witnesses:
        return None
    best = max(witnesses, key=lambda calibration: calibration.peak_flops_per_s)
    value, basis = theoretical
    return MachinePeak(precision=precision, threads=threads, peak_flops_per_s=best.peak_flops_per_s,
                       source=best.framework, witnesses=witnesses, missing_witnesses=missing,
                       theoretical_flops_per_s=value, theoretical_basis=basis)
