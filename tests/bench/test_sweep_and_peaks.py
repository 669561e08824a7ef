"""The sweep suite's plan and the machine peak: one denominator per machine, every sweep point a normal run."""

from __future__ import annotations

import pytest

from generator.bench import environment, methodology, peaks, plan
from generator.results.peaks import machine_peaks
from generator.results.schema import Calibration, MachinePeak
from generator.results.table import build_frame
from tests.results import result_factory

ZEN5_CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
model\t\t: 2
model name\t: AMD EPYC
stepping\t: 1
cpu MHz\t\t: 2596.122
flags\t\t: fpu sse2 avx avx2 fma avx512f avx512_bf16
"""


def _host(cores: int) -> environment.Host:
    return environment.Host(hostname_hash="0" * 12, os="Linux", python="3.11", cpu_model="Test CPU",
                            cpu_cores_logical=cores, cpu_cores_physical=cores, memory_gb=8.0, gpu=None,
                            git_commit="abc", git_dirty=False, command="atlas bench", load_at_start=(0.0, 0.0, 0.0))


@pytest.mark.parametrize(("cores", "expected"), [(1, (1,)), (2, (1, 2)), (6, (1, 2, 4, 6)), (8, (1, 2, 4, 8))])
def test_thread_counts_are_powers_of_two_then_the_cores(cores, expected):
    assert plan.thread_counts("powers-of-two", cores) == expected
    assert plan.thread_counts("all", cores) == (cores,)


def test_sweep_plan_has_every_point_once_in_every_mode_of_both_frameworks():
    configs = plan.build_plan("sweep", "cpu", _host(4))
    keys = [plan.config_key(c) for c in configs]
    assert len(keys) == len(set(keys))
    modes = {f: len(m) for f, m in methodology.MODES.items()}
    per_point = sum(modes.values())

    def points(**where):
        return [c for c in configs if all(getattr(c, k) == v for k, v in where.items())]

    resnet_inference = points(task="image-classification", phase="inference", threads=4)
    assert sorted({c.batch_size for c in resnet_inference}) == list(methodology.SWEEP_BATCH_SIZES)
    assert len(resnet_inference) == len(methodology.SWEEP_BATCH_SIZES) * per_point
    resnet_train = points(task="image-classification", phase="train", threads=4)
    assert sorted({c.batch_size for c in resnet_train}) == list(methodology.SWEEP_BATCH_SIZES)
    bert = points(task="sentiment-analysis", threads=4)
    assert sorted({c.shape["seq_len"] for c in bert}) == list(methodology.SWEEP_SEQUENCE_LENGTHS)
    assert {c.batch_size for c in bert} == {methodology.SWEEP_FIXED_BATCH}
    assert {c.shape["num_layers"] for c in bert} == {12}  # the standard BERT-base, only its length varies
    # The thread sweep adds 1 and 2 threads; its 4-thread point is the batch/sequence sweeps' own.
    for task, phase in [("image-classification", "inference"), ("image-classification", "train"),
                        ("sentiment-analysis", "inference")]:
        threads = {c.threads for c in points(task=task, phase=phase, batch_size=methodology.SWEEP_FIXED_BATCH)
                   if c.shape.get("seq_len", 128) == 128}
        assert threads == {1, 2, 4}, (task, phase)
    assert {c.precision.value for c in configs} == {"fp32"}
    assert not points(task="object-detection")


def test_sweep_plan_on_a_gpu_goes_on_to_larger_batches():
    host = _host(4)
    gpu_host = environment.Host(**{**host.__dict__, "gpu": environment.Gpu("NVIDIA Test", "550.0", 9.0)})
    sizes = {c.batch_size for c in plan.build_plan("sweep", "cuda", gpu_host) if c.task == "image-classification"}
    assert max(sizes) > max(methodology.SWEEP_BATCH_SIZES)


def test_theoretical_peak_is_cores_times_clock_times_flops_per_cycle():
    value, basis = peaks.theoretical_cpu_peak(ZEN5_CPUINFO, 2, "fp32")
    assert value == pytest.approx(2 * 2596.122e6 * 64)
    assert "64 fp32 FLOPs per cycle" in basis and "https://" in basis


@pytest.mark.parametrize(("cpuinfo", "precision", "reason"), [
    (ZEN5_CPUINFO, "bf16", "not derived for bf16"),
    (ZEN5_CPUINFO.replace("avx512f ", ""), "fp32", "not in the table"),  # a hypervisor hiding AVX-512
    (ZEN5_CPUINFO.replace("GenuineIntel", "x").replace("AuthenticAMD", "GenuineIntel"), "fp32", "not in the table"),
    ("processor : 0\n", "fp32", "names no CPU family"),
])
def test_theoretical_peak_is_missing_with_its_reason_rather_than_guessed(cpuinfo, precision, reason):
    value, basis = peaks.theoretical_cpu_peak(cpuinfo, 2, precision)
    assert value is None and reason in basis


def _calibration(framework: str, flops: float) -> Calibration:
    return Calibration(peak_flops_per_s=flops, matmul_size=2048, dtype="float32", framework=framework,
                       measured_at=result_factory.performance().started_at)


def test_machine_peak_is_the_highest_witness_and_must_say_so():
    witnesses = [_calibration("pytorch", 195.6e9), _calibration("tensorflow", 219.0e9), _calibration("numpy", 201e9)]
    peak = peaks.machine_peak("fp32", 2, witnesses, {}, (None, "not derived"))
    assert peak.source == "tensorflow" and peak.peak_flops_per_s == 219.0e9
    with pytest.raises(ValueError, match="highest witness"):
        MachinePeak(**{**peak.model_dump(), "source": "pytorch"})
    assert peaks.machine_peak("fp32", 2, [], {"numpy": "failed"}, (None, "x")) is None


def test_both_frameworks_utilisation_on_one_machine_divides_by_one_denominator():
    """The stored results divided by their own calibrations (4.0e12 for PyTorch, here 5.0e12 for TensorFlow);
    the frame re-derives both against the machine's highest witness."""
    torch_run = result_factory.performance(framework="pytorch", step_time_s=0.1)
    tf_run = result_factory.performance(framework="tensorflow", step_time_s=0.1)
    tf_run = tf_run.model_copy(update={"calibration": tf_run.calibration.model_copy(
        update={"peak_flops_per_s": 5.0e12})})
    frame = build_frame([torch_run, tf_run])
    assert set(frame["peak_flops_per_s"]) == {5.0e12}
    assert set(frame["peak_source"]) == {"tensorflow"}
    for row in frame.itertuples():
        assert row.utilisation == pytest.approx(row.achieved_flops_per_s / 5.0e12)
    # A thread-sweep run on fewer cores witnesses nothing: its calibration is one core's, not the machine's.
    one_thread = torch_run.model_copy(update={"config": torch_run.config.model_copy(update={"threads": 1}),
                                              "calibration": torch_run.calibration.model_copy(
                                                  update={"peak_flops_per_s": 9.0e12})})
    assert machine_peaks([torch_run, tf_run, one_thread])[
        (result_factory.SYNTHETIC_MACHINE, "cpu", "fp32")].peak_flops_per_s == 5.0e12
