"""The deployment benchmark: every export path of both frameworks on the same three models and weights.

    paths.py       the registry: path id → a :class:`~generator.bench.deploy.paths.DeployPath`
    tf_*.py        TensorFlow's paths (SavedModel, LiteRT fp32 and int8, tf2onnx) — one module each
    torch_*.py     PyTorch's paths (torch.export, AOTInductor, torch.onnx, litert-torch, ExecuTorch)
    runtimes.py    the runtimes two paths share: ONNX Runtime and the LiteRT interpreter
    models.py      a task's source model in one framework: weights, fixed inputs, reference outputs, serving fn
    fidelity.py    deployed vs source outputs, NumPy only: differences, top-1, boxes after NMS
    worker.py      ``python -m generator.bench.deploy.worker``: one weights/export/run step, one framework
    runner.py      the suite: per cell an export subprocess, then a run subprocess; failures become results

Each cell runs like a speed run: its own processes, the machine's threads, the runtime timed the way its own
benchmark tool times it (``onnxruntime_perf_test``, LiteRT's ``benchmark_model``): load once, warm up, then
timed calls of the deployed artifact, outputs copied back to the host. The runner imports no framework.
"""
