"""Where a run ran: hardware, OS, versions, threads, git state, machine load. Framework-free.

The framework's own facts (version, build flags, CUDA/cuDNN it was built with) come from the worker subprocess
that imported it (``generator.bench.frameworks.*.framework_info``); the runner merges the two.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import resource
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.bench import methodology

REPO_ROOT = Path(__file__).resolve().parents[2]

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                   "TF_NUM_INTEROP_THREADS")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpuinfo_text() -> str:
    return _read("/proc/cpuinfo")


def cpu_model() -> str:
    match = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    return match.group(1).strip() if match else (platform.processor() or platform.machine())


def cpu_flags() -> set[str]:
    match = re.search(r"^flags\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    return set(match.group(1).split()) if match else set()


@dataclass(frozen=True)
class CpuIdentity:
    """What tells two CPUs apart when their marketing name is the same ("AMD EPYC" covers several generations).

    Family, model and stepping name the silicon; the flags digest catches what a hypervisor exposes or hides
    (a VM of the same model without AVX-512 runs different kernels). Nothing here identifies the host.
    """

    vendor: str | None
    family: int | None
    model: int | None
    stepping: int | None
    flags_digest: str | None  # sha256 of the sorted flag list, 12 hex digits; None where /proc/cpuinfo has none

    def digest(self) -> str:
        """Six hex digits that differ between CPUs that differ in any field above: part of the machine label."""
        text = f"{self.vendor}|{self.family}|{self.model}|{self.stepping}|{self.flags_digest}"
        return hashlib.sha256(text.encode()).hexdigest()[:6]


def cpu_identity(cpuinfo: str | None = None) -> CpuIdentity:
    text = _read("/proc/cpuinfo") if cpuinfo is None else cpuinfo

    def field(name: str) -> str | None:
        match = re.search(rf"^{name}\s*:\s*(.+)$", text, re.MULTILINE)
        return match.group(1).strip() if match else None

    def number(name: str) -> int | None:
        value = field(name)
        return int(value) if value and value.isdigit() else None

    flags = field("flags")
    flags_digest = hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:12] if flags else None
    return CpuIdentity(vendor=field("vendor_id"), family=number("cpu family"), model=number("model"),
                       stepping=number("stepping"), flags_digest=flags_digest)


def cpu_supports_bf16() -> bool:
    """Native bf16 arithmetic (AVX512-BF16 or AMX-BF16); without it bf16 is emulated and slower than fp32."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set), which is what the thread count should use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def physical_cores() -> int | None:
    pairs = set(re.findall(r"physical id\s*:\s*(\d+)\s*\n(?:.*\n)*?core id\s*:\s*(\d+)", _read("/proc/cpuinfo")))
    return len(pairs) or None


def memory_gb() -> float:
    match = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return round(int(match.group(1)) / 1024**2, 1) if match else 1.0


def os_name() -> str:
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.MULTILINE)
    return f"{pretty.group(1) if pretty else platform.system()} (kernel {platform.release()})"


@dataclass(frozen=True)
class Gpu:
    name: str
    driver: str
    compute_capability: float


def gpus() -> list[Gpu]:
    """NVIDIA GPUs as nvidia-smi reports them (empty when there is none or no driver)."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,compute_cap", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.strip().splitlines():
        name, driver, capability = (part.strip() for part in line.split(","))
        found.append(Gpu(name, driver, float(capability)))
    return found


def git_state() -> tuple[str, bool]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30,
                              check=False).stdout
    try:
        commit = git("rev-parse", "HEAD").strip() or "unknown"
        dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return commit, dirty


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Host:
    """What the runner knows about the machine without importing a framework; captured once per suite."""

    hostname_hash: str
    os: str
    python: str
    cpu_model: str
    cpu_cores_logical: int
    cpu_cores_physical: int | None
    memory_gb: float
    gpu: Gpu | None
    git_commit: str
    git_dirty: bool
    command: str
    load_at_start: tuple[float, float, float]
    cpu: CpuIdentity = CpuIdentity(None, None, None, None, None)

    def machine_label(self, device: str) -> str:
        """Human and anonymous; the CPU digest keeps two machines with the same CPU name and core count apart."""
        cpu = f"{self.cpu_model}, cpu {self.cpu.digest()}"
        if device == "cuda" and self.gpu:
            return f"{self.gpu.name} GPU (host: {self.cpu_cores_logical}-core {cpu})"
        return f"{self.cpu_cores_logical}-core {platform.machine()} CPU ({cpu})"

    def machine_slug(self, device: str) -> str:
        """Results folder name: one per kind of machine (device model, core count, CPU identity), so runs from
        the same kind of machine sit together and a different CPU sold under the same name gets its own folder."""
        if device == "cuda" and self.gpu:
            return f"cuda-{slug(self.gpu.name)}-{self.cpu.digest()}"
        return f"cpu-{slug(self.cpu_model)}-{self.cpu_cores_logical}c-{self.cpu.digest()}"

    def cpu_identity_fields(self) -> dict[str, str | int | None]:
        """The CPU identity as the result schema's Environment fields, for every kind of result."""
        return {"cpu_vendor": self.cpu.vendor, "cpu_family": self.cpu.family, "cpu_model_number": self.cpu.model,
                "cpu_stepping": self.cpu.stepping, "cpu_flags_digest": self.cpu.flags_digest}

    def busy_at_start(self) -> bool:
        return self.load_at_start[0] > methodology.QUIET_LOAD_PER_CORE * self.cpu_cores_logical


def capture_host(argv: list[str] | None = None) -> Host:
    commit, dirty = git_state()
    found = gpus()
    return Host(
        hostname_hash=hashlib.sha256(socket.gethostname().encode()).hexdigest()[:12],
        os=os_name(),
        python=platform.python_version(),
        cpu_model=cpu_model(),
        cpu_cores_logical=usable_cores(),
        cpu_cores_physical=physical_cores(),
        memory_gb=memory_gb(),
        gpu=found[0] if found else None,
        git_commit=commit,
        git_dirty=dirty,
        command=shlex.join(argv if argv is not None else sys.argv),
        load_at_start=os.getloadavg(),
        cpu=cpu_identity(),
    )


class CpuShareMeter:
    """Share of the machine's CPU time used by *other* processes between ``start()`` and ``stop()``.

    Busy CPU time of the whole machine comes from /proc/stat; the benchmark's own (this process plus the child
    processes it has waited for) from getrusage. Steal time counts as busy: on a VM it is a neighbour's load.
    """

    def __init__(self) -> None:
        self._start: tuple[float, float, float] | None = None

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        cpus = {f"cpu{n}" for n in os.sched_getaffinity(0)}  # only the cores we may use, as in a container
        busy_ticks = 0
        for line in _read("/proc/stat").splitlines():
            parts = line.split()
            if parts and parts[0] in cpus:
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(t) for t in parts[1:9])
                busy_ticks += user + nice + system + irq + softirq + steal
        busy_s = busy_ticks / os.sysconf("SC_CLK_TCK")
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_s = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
        return busy_s, own_s, time.monotonic()

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> float | None:
        if self._start is None:
            return None
        busy0, own0, t0 = self._start
        busy1, own1, t1 = self._sample()
        capacity = usable_cores() * (t1 - t0)
        if capacity <= 0 or busy1 == busy0 == 0:  # no /proc/stat (not Linux): unknown
            return None
        return max(0.0, min(1.0, ((busy1 - busy0) - (own1 - own0)) / capacity))
