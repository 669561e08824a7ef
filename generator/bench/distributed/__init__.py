"""Data-parallel training on each framework's own distributed engine (``atlas bench --suite distributed``).

    runner.py       the suite: plan the runs, launch each, compare weights, write DistributedResult documents
    launch.py       start the framework's processes (torchrun; one TF_CONFIG process per worker), time them
                    out, kill every process of a run, leave none behind
    equivalence.py  the 2-worker weights against the 1-worker weights after one step (NumPy)
    worker.py       what every worker does whichever framework: pin its cores, its slice of the batch, the
                    timed loop, its result file
    torch_worker.py DistributedDataParallel in a process torchrun started (gloo on CPU, NCCL on GPUs)
    tf_worker.py    MultiWorkerMirroredStrategy in a process TF_CONFIG describes

The harness only starts processes and collects their files: process groups, collectives and gradient averaging
are the frameworks' own.
"""
