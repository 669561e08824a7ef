"""What makes two runs "the same run": the identity ``--resume`` skips and a results file name carries.

A run is identified by what ran (its configuration), with what (framework and runtime versions) and where (the
machine). A newer framework version or another machine is a new identity, so it adds a result instead of being
skipped; repeating an identical identity is what ``--resume`` avoids. Every result kind uses the same function with
its own configuration model, so the rule is stated once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from pydantic import BaseModel

# Fields of a configuration that change how long we wait for a run, not what it measures.
NOT_IDENTITY = frozenset({"timeout_s"})


def run_identity(config: BaseModel, versions: Mapping[str, str | None], machine: str) -> str:
    """12 hex digits, equal exactly when configuration (timeouts aside), versions and machine are equal."""
    document = {"config": config.model_dump(mode="json", exclude=set(NOT_IDENTITY & set(type(config).model_fields))),
                "versions": dict(sorted(versions.items())), "machine": machine}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:12]


def version_slug(version: str) -> str:
    """A version as a file-name part: ``2.13.0+cpu`` → ``2-13-0-cpu``."""
    return re.sub(r"[^a-z0-9]+", "-", version.lower()).strip("-") or "unknown"


def runtime_versions(framework: str, python: str, gpu_driver: str | None = None) -> dict[str, str]:
    """The versions that belong to a run's identity; the GPU driver only where a GPU ran it."""
    return {"framework": framework, "python": python} | ({"gpu_driver": gpu_driver} if gpu_driver else {})
