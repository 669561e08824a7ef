"""The reference benchmarks: one subprocess per run, timed the same way in both frameworks.

    cli.py          ``atlas bench`` / ``invoke bench``: plan → run → summary
    methodology.py  every choice (warm-up, repeats, statistics, threads, suites), framework-free
    plan.py         a suite expanded into run configurations for this machine
    runner.py       runs each configuration in a worker subprocess; failures become results; atomic writes
    worker.py       ``python -m generator.bench.worker``: one run or one peak calibration, one framework
    frameworks/     the per-framework adapters: device, threads, precision, modes, sync, memory, calibration
    timing.py       the timing loop; stats.py: median, bootstrap interval, percentiles, FLOP/s, utilisation
    environment.py  hardware, versions, git state, machine load
    workloads/      the tasks (one package each), behind the contract in workloads/base.py
"""
