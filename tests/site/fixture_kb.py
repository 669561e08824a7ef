"""A small knowledge base for the site tests: every collection, every page feature, and hostile text.

Written as YAML files so the tests go through the real loader, exactly as ``invoke build`` does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from generator.kb.checks.schema_modeline import expected_line

REVIEWED = dt.date.today() - dt.timedelta(days=40)
OLDER = dt.date.today() - dt.timedelta(days=90)

# Hostile contributor text: each must come out as visible, inert text.
SCRIPT = "<script>window.__pwned = 1</script>"
ONERROR = '<img src=x onerror="alert(1)">'
MD_LINK = "[click me](javascript:alert(1))"
DATA_IMG = "![img](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"
RAW_LINK = '<a href="javascript:alert(2)">raw link</a>'
ATTR_LIST = "{: onclick=\"alert(3)\" }"
TEMPLATE = "{{ 7 * 7 }} {% if true %}templated{% endif %}"
HOSTILE = f"{SCRIPT} {ONERROR} {MD_LINK} {DATA_IMG} {RAW_LINK} {ATTR_LIST} {TEMPLATE}"

ENTRIES: dict[str, list[dict[str, Any]]] = {
    "sources": [
        {"id": "pytorch-docs", "title": "PyTorch documentation", "url": "https://pytorch.org/docs/stable/index.html",
         "publisher": "PyTorch Foundation", "kind": "official-docs", "accessed": REVIEWED},
        {"id": "tensorflow-docs", "title": "TensorFlow API docs", "url": "https://www.tensorflow.org/api_docs",
         "publisher": "Google", "kind": "official-docs", "accessed": REVIEWED},
        {"id": "tf-release-notes", "title": "TensorFlow 2.16 release", "url": "https://github.com/tensorflow/tensorflow/releases",
         "publisher": "Google", "kind": "release-notes", "published": dt.date(2024, 3, 8), "accessed": REVIEWED},
        {"id": "blog-article", "title": "Hostile title " + SCRIPT, "url": "https://example.com/tf-vs-pt?a=1&b=\"2\"",
         "publisher": "Example Blog", "kind": "article", "accessed": REVIEWED, "note": HOSTILE},
    ],
    "frameworks": [
        {"id": "tensorflow", "name": "TensorFlow", "developer": "Google", "license": "Apache-2.0",
         "homepage": "https://www.tensorflow.org", "summary": "An end-to-end platform for machine learning.",
         "article_says": "Developed by Google Brain.", "sources": ["tensorflow-docs"], "last_reviewed": REVIEWED},
        {"id": "pytorch", "name": "PyTorch", "developer": "PyTorch Foundation", "license": "BSD-3-Clause",
         "first_release": dt.date(2016, 9, 1), "homepage": "https://pytorch.org",
         "repository": "https://github.com/pytorch/pytorch",
         "summary": "A Python-first deep learning framework.\n\nEager by default.", "sources": ["pytorch-docs"],
         "last_reviewed": REVIEWED},
    ],
    "claims": [
        {"id": "pytorch-is-pythonic", "quote": "PyTorch feels more Pythonic.", "section": "Ease of Use",
         "status": "supported", "evidence": "Models are plain Python classes.", "sources": ["pytorch-docs"],
         "last_reviewed": REVIEWED},
        {"id": "tf-hard-to-debug", "quote": "TensorFlow is hard to debug.", "section": "Debugging",
         "status": "outdated", "evidence": "Eager execution is the default since TensorFlow 2.0.",
         "sources": ["tf-release-notes"], "last_reviewed": OLDER},
        {"id": "hostile-claim", "quote": HOSTILE, "section": "Hostile " + ONERROR, "status": "unverified",
         "evidence": HOSTILE, "sources": ["blog-article"], "last_reviewed": REVIEWED},
    ],
    "topics": [
        {"id": "ease-of-use", "title": "Ease of use", "category": "ease-of-use", "order": 1,
         "summary": "How it feels to write and debug models.",
         "at_a_glance": {"tensorflow": "Keras makes common cases short.", "pytorch": "Plain Python, easy to debug."},
         "sources": ["pytorch-docs", "tensorflow-docs"], "last_reviewed": REVIEWED},
        {"id": "hostile-topic", "title": "Hostile " + SCRIPT, "category": "community", "order": 2,
         "summary": HOSTILE, "at_a_glance": {"tensorflow": MD_LINK, "pytorch": TEMPLATE},
         "sources": ["blog-article"], "last_reviewed": REVIEWED},
    ],
    "aspects": [
        {"id": "debugging", "topic": "ease-of-use", "title": "Debugging",
         "article_says": {"tensorflow": "Harder to debug.", "pytorch": "Easy to debug."},
         "per_framework": {
             "tensorflow": {"summary": "Eager by default since 2.0.", "code": "import tensorflow as tf\ntf.print(x)"},
             "pytorch": {"summary": "Use pdb anywhere.", "code": "import pdb\npdb.set_trace()"},
         },
         "verdict": "Both debug well in eager mode.", "claims": ["pytorch-is-pythonic", "tf-hard-to-debug"],
         "caveat": "Graph mode (tf.function) is still harder to step through.",
         "sources": ["pytorch-docs", "tf-release-notes"], "last_reviewed": OLDER},
        {"id": "hostile-aspect", "topic": "hostile-topic", "title": "Hostile " + ONERROR,
         "article_says": {"tensorflow": HOSTILE},
         "per_framework": {"pytorch": {"summary": HOSTILE, "code": "print('```')\n" + SCRIPT + "\n</code></pre>" + SCRIPT}},
         "verdict": HOSTILE, "claims": ["hostile-claim"], "caveat": HOSTILE, "sources": ["blog-article"],
         "last_reviewed": REVIEWED},
    ],
    "use-cases": [
        {"id": "research", "title": "Research prototypes", "article_recommends": "PyTorch",
         "recommendation": ["pytorch"], "rationale": "Most new papers ship PyTorch code.",
         "claims": ["pytorch-is-pythonic"], "sources": ["pytorch-docs"], "last_reviewed": REVIEWED},
        {"id": "mobile", "title": "Mobile apps", "article_recommends": "TensorFlow",
         "recommendation": ["tensorflow", "pytorch"], "rationale": "Both have on-device runtimes.",
         "sources": ["tensorflow-docs"], "last_reviewed": REVIEWED},
    ],
    "benchmarks": [
        {"id": "image-classification", "title": "Image classification", "model": "ResNet-50",
         "dataset": "synthetic ImageNet-shaped batches", "description": "Training throughput of ResNet-50.",
         "sources": ["blog-article"], "last_reviewed": REVIEWED},
    ],
    "trends": [
        {"id": "edge-deployment", "title": "Deployment at the edge", "from_article": True,
         "summary": "Both frameworks target phones.", "status": "supported", "sources": ["tensorflow-docs"],
         "last_reviewed": REVIEWED},
    ],
    "pros-cons": [
        {"id": "pytorch", "framework": "pytorch",
         "pros": [{"text": "Pythonic API", "from_article": True, "status": "supported", "sources": ["pytorch-docs"]}],
         "cons": [{"text": "Smaller mobile story", "from_article": True, "status": "outdated",
                   "note": "ExecuTorch changed this."}],
         "last_reviewed": REVIEWED},
    ],
    "faq": [
        {"id": "which-is-faster", "order": 1, "question": "Which framework is faster for training?",
         "article_answer": "TensorFlow, for large-scale training.",
         "answer": "It depends on the model and settings.\n\nSee the benchmarks.", "claims": ["tf-hard-to-debug"],
         "sources": ["pytorch-docs"], "last_reviewed": REVIEWED},
        {"id": "hostile-question", "order": 2, "question": "Hostile " + SCRIPT + " " + TEMPLATE + "?",
         "article_answer": HOSTILE, "answer": HOSTILE, "sources": ["blog-article"], "last_reviewed": REVIEWED},
    ],
}


def write_fixture_kb(root: Path) -> Path:
    """Write the fixture under ``root/data`` (one file per entry, schema line first) and return that folder."""
    data_dir = root / "data"
    for collection, entries in ENTRIES.items():
        folder = data_dir / collection
        folder.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            body = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=1000)
            (folder / f"{entry['id']}.yaml").write_text(f"{expected_line(collection)}\n{body}", encoding="utf-8")
    return data_dir


def count(collection: str) -> int:
    return len(ENTRIES[collection])
