"""What both adapters share, framework-free: the prepared step, the 'unsupported' error, host memory."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Unsupported(RuntimeError):
    """This device or build cannot run the configuration (no GPU, no bf16): recorded, never faked."""


@dataclass(frozen=True)
class Prepared:
    model: Any  # the framework model as the task module built it (uncompiled), for FLOP and parameter counts
    step: Callable[[], Any]  # one training step, or one inference (forward + postprocess)
    sync: Callable[[Any], None]  # given the step's output, return once the device has finished that step


def _status_kb(field: str) -> int | None:
    match = re.search(rf"^{field}:\s*(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    return int(match.group(1)) if match else None


class HostMemory:
    """Peak resident-set growth of this process from ``start()`` on (CPU runs).

    ``start()`` resets the kernel's high-water mark (``/proc/self/clear_refs`` ← 5) and notes the current RSS,
    so what the framework import allocated is not counted; ``peak()`` is then VmHWM − that baseline: weights,
    activations, optimiser state, workspaces. Where the reset is not allowed, the absolute peak is reported and
    labelled as such (``host-rss``).
    """

    def __init__(self) -> None:
        self.baseline_kb = 0
        self.kind = "host-rss"

    def start(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            return
        self.kind = "host-rss-delta"
        self.baseline_kb = _status_kb("VmRSS") or 0

    def peak(self) -> tuple[float | None, str]:
        peak_kb = _status_kb("VmHWM")
        if peak_kb is None or peak_kb <= self.baseline_kb:
            return None, self.kind
        return (peak_kb - self.baseline_kb) / 1024, self.kind
