"""One denominator per machine and precision, re-derived from what the stored results recorded.

Results written before the machine peak existed divided their achieved FLOP/s by their own framework's matmul
calibration, so two frameworks on one CPU divided by two different numbers. Every result keeps the calibrations
it ran with, so the site needs no re-run: per machine (its label), device and precision, the highest calibration
any witness recorded on all the cores is the machine's measured peak, and every utilisation on that machine is
re-derived against it. The stored per-result figures stay as they were measured; this module is the only place
the site's utilisation comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.results.schema import Calibration, PerformanceResult, Status

PeakKey = tuple[str, str, str]  # (machine label, device, precision)


@dataclass
class PeakSummary:
    """The machine's peak for one precision: its value, which witness gave it, and every witness seen."""

    machine_label: str
    device: str
    precision: str
    threads: int
    peak_flops_per_s: float = 0.0
    source: str = ""
    best_by_witness: dict[str, float] = field(default_factory=dict)  # witness → its highest calibration
    missing_witnesses: dict[str, str] = field(default_factory=dict)
    theoretical_flops_per_s: float | None = None
    theoretical_basis: str | None = None

    def add(self, calibration: Calibration) -> None:
        witness = calibration.framework
        self.best_by_witness[witness] = max(self.best_by_witness.get(witness, 0.0), calibration.peak_flops_per_s)
        if calibration.peak_flops_per_s > self.peak_flops_per_s:
            self.peak_flops_per_s, self.source = calibration.peak_flops_per_s, witness


def peak_key(result: PerformanceResult) -> PeakKey:
    return result.environment.machine_label, result.config.device, result.config.precision.value


def _full_machine(result: PerformanceResult) -> bool:
    """Only calibrations on all the cores witness the machine's peak (a 1-thread calibration is a core's)."""
    return result.config.device != "cpu" or result.config.threads >= result.environment.cpu_cores_logical


def machine_peaks(results: Iterable[PerformanceResult]) -> dict[PeakKey, PeakSummary]:
    peaks: dict[PeakKey, PeakSummary] = {}
    for result in results:
        if result.status is not Status.ok:
            continue
        key = peak_key(result)
        summary = peaks.get(key)
        recorded = result.machine_peak
        if summary is None:
            threads = recorded.threads if recorded else result.environment.cpu_cores_logical
            summary = peaks[key] = PeakSummary(*key, threads=threads)
        if recorded is not None:
            for witness in recorded.witnesses:
                summary.add(witness)
            for witness, reason in recorded.missing_witnesses.items():
                summary.missing_witnesses.setdefault(witness, reason)
            if recorded.theoretical_flops_per_s is not None or summary.theoretical_basis is None:
                summary.theoretical_flops_per_s = recorded.theoretical_flops_per_s
                summary.theoretical_basis = recorded.theoretical_basis
        if result.calibration is not None and _full_machine(result):
            summary.add(result.calibration)
    for summary in peaks.values():
        for witness in summary.best_by_witness:
            summary.missing_witnesses.pop(witness, None)  # measured somewhere on this machine after all
    return {key: summary for key, summary in peaks.items() if summary.peak_flops_per_s > 0}


def utilisation(result: PerformanceResult, peaks: dict[PeakKey, PeakSummary]) -> float | None:
    """The result's achieved FLOP/s over its machine's peak; None when nothing on the machine calibrated. A run
    above the peak (which a best-of-N calibration should make impossible) is not given a share above 1."""
    summary = peaks.get(peak_key(result))
    if result.metrics is None or summary is None:
        return None
    share = result.metrics.achieved_flops_per_s / summary.peak_flops_per_s
    return share if share <= 1 else None
