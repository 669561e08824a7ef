"""A tiny, valid knowledge base written into a temporary folder; each test breaks one thing in it.

Helpers live here (imported relatively by the tests); conftest.py only turns them into fixtures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.kb.checks.schema_modeline import expected_line

RECENT = (dt.date.today() - dt.timedelta(days=30)).isoformat()

# (collection, id) → the YAML body (the schema line is added on top when written)
VALID_FILES: dict[tuple[str, str], str] = {
    ("sources", "pytorch-docs"): f"""\
id: pytorch-docs
title: PyTorch documentation
url: https://pytorch.org/docs/stable/index.html
publisher: PyTorch Foundation
kind: official-docs
accessed: {RECENT}
""",
    ("sources", "tensorflow-docs"): f"""\
id: tensorflow-docs
title: TensorFlow documentation
url: https://www.tensorflow.org/api_docs
publisher: Google
kind: official-docs
accessed: {RECENT}
""",
    ("sources", "blog-article"): f"""\
id: blog-article
title: TensorFlow vs PyTorch
url: https://example.com/tensorflow-vs-pytorch
publisher: Example Blog
kind: article
published: 2024-03-01
accessed: {RECENT}
""",
    ("frameworks", "pytorch"): f"""\
id: pytorch
name: PyTorch
developer: Meta AI, now the PyTorch Foundation
first_release: 2016-09-01
license: BSD-3-Clause
homepage: https://pytorch.org
summary: A Python-first deep learning framework with eager execution.
sources: [pytorch-docs]
last_reviewed: {RECENT}
""",
    ("frameworks", "tensorflow"): f"""\
id: tensorflow
name: TensorFlow
developer: Google
license: Apache-2.0
homepage: https://www.tensorflow.org
summary: An end-to-end platform for machine learning.
article_says: Developed by Google Brain.
sources:
  - tensorflow-docs
last_reviewed: {RECENT}
""",
    ("claims", "pytorch-is-pythonic"): f"""\
id: pytorch-is-pythonic
quote: PyTorch feels more Pythonic.
section: Ease of Use
status: supported
evidence: The docs show plain Python control flow in models.
measured_by: [image-classification]
compares:
  metric: throughput
  phase: train
  within_percent: 50
sources:
  - pytorch-docs
last_reviewed: {RECENT}
""",
    ("topics", "ease-of-use"): f"""\
id: ease-of-use
title: Ease of use
category: ease-of-use
order: 1
summary: How it feels to write and debug models.
at_a_glance:
  tensorflow: Keras makes the common cases short.
  pytorch: Plain Python, easy to debug.
sources: [pytorch-docs, tensorflow-docs]
last_reviewed: {RECENT}
""",
    ("aspects", "debugging"): f"""\
id: debugging
topic: ease-of-use
title: Debugging
article_says:
  tensorflow: Harder to debug.
  pytorch: Easy to debug.
per_framework:
  tensorflow:
    summary: Eager by default since 2.0; tf.function traces graphs.
  pytorch:
    summary: Eager; use pdb anywhere.
    code: "import pdb; pdb.set_trace()"
verdict: Both debug well in eager mode.
claims: [pytorch-is-pythonic]
sources: [pytorch-docs, tensorflow-docs]
last_reviewed: {RECENT}
""",
    ("use-cases", "research"): f"""\
id: research
title: Research
article_recommends: PyTorch
recommendation: [pytorch]
rationale: Most new papers ship PyTorch code.
sources: [pytorch-docs]
last_reviewed: {RECENT}
""",
    ("benchmarks", "image-classification"): f"""\
id: image-classification
title: Image classification
model: ResNet-50
dataset: ImageNet (synthetic batches)
article_says:
  pytorch: Faster in the article's test.
description: Training throughput of ResNet-50.
sources: [blog-article]
last_reviewed: {RECENT}
""",
    ("trends", "edge-deployment"): f"""\
id: edge-deployment
title: Deployment at the edge
from_article: true
summary: Both frameworks target phones and microcontrollers.
status: supported
sources: [tensorflow-docs]
last_reviewed: {RECENT}
""",
    ("pros-cons", "pytorch"): f"""\
id: pytorch
framework: pytorch
pros:
  - text: Pythonic API
    from_article: true
    status: supported
    sources: [pytorch-docs]
cons:
  - text: Smaller mobile story
    from_article: true
    status: outdated
    note: ExecuTorch changed this.
last_reviewed: {RECENT}
""",
    ("faq", "which-is-faster"): f"""\
id: which-is-faster
order: 1
question: Which is faster?
answer: It depends on the model and the settings; see the benchmarks.
sources: [pytorch-docs]
last_reviewed: {RECENT}
""",
}


def write_kb(root: Path, files: dict[tuple[str, str], str] | None = None) -> Path:
    """Write the knowledge base under ``root/data`` and return that folder."""
    data_dir = root / "data"
    for (collection, entry_id), body in (VALID_FILES if files is None else files).items():
        path = data_dir / collection / f"{entry_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected_line(collection) + "\n" + body, encoding="utf-8")
    return data_dir


def edit(data_dir: Path, relative_path: str, old: str, new: str) -> None:
    """Replace one piece of text in a data file (exactly once: a test breaks exactly one thing)."""
    path = data_dir / relative_path
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relative_path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(data_dir: Path, relative_path: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle`` (so tests don't hard-code line numbers)."""
    for number, line in enumerate((data_dir / relative_path).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {relative_path}")
