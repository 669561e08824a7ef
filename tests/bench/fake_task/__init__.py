"""A tiny 2-layer MLP task in both frameworks, for testing the harness in seconds.

Tests point a real task id at it (``ATLAS_TASK_PACKAGES=image-classification=tests.bench.fake_task``) and can
make a run misbehave by its batch size (``ATLAS_FAKE_FAULTS="3=crash,5=hang"``): ``crash`` aborts the process
(SIGABRT), ``hang`` sleeps past any timeout, ``oom`` raises MemoryError, ``kill`` sends itself SIGKILL (what the
kernel's OOM killer does), ``error`` raises ValueError. ``ATLAS_FAKE_SLEEP_S`` slows every model build down,
so a test can interrupt a suite mid-run.
"""
