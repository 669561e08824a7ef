"""Download once, verify against the published checksums, cache; never read an archive that failed the check."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "ATLAS_DATA_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "framework-atlas" / "datasets"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveSpec:
    """Where an archive lives and what it must hash to. ``None`` means no published value to check against."""

    name: str
    url: str
    filename: str
    md5: str | None = None
    sha256: str | None = None
    size: int | None = None
    checksum_source: str = ""  # where the expected values were published

    def __post_init__(self) -> None:
        if not (self.md5 or self.sha256):
            raise ValueError(f"{self.name}: an archive needs at least one published checksum to be verified")


class DownloadError(RuntimeError):
    """The archive could not be fetched (offline, 404, …)."""


class ChecksumMismatch(ValueError):
    """The bytes are not the published archive: corrupted, truncated, or a different file."""


def cache_dir(explicit: Path | None = None) -> Path:
    """``explicit``, else ``$ATLAS_DATA_CACHE``, else ``~/.cache/framework-atlas/datasets``."""
    return Path(explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def digests(path: Path) -> tuple[str, str, int]:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), size


def verify(path: Path, spec: ArchiveSpec) -> None:
    """Raise :class:`ChecksumMismatch` naming every value that differs from the published one."""
    md5, sha256, size = digests(path)
    wrong = []
    if spec.size is not None and size != spec.size:
        wrong.append(f"size {size} bytes, expected {spec.size}")
    if spec.md5 and md5 != spec.md5.lower():
        wrong.append(f"MD5 {md5}, expected {spec.md5}")
    if spec.sha256 and sha256 != spec.sha256.lower():
        wrong.append(f"SHA-256 {sha256}, expected {spec.sha256}")
    if wrong:
        source = f" (published in {spec.checksum_source})" if spec.checksum_source else ""
        raise ChecksumMismatch(
            f"{spec.name}: {path} is not the published archive{source}: {'; '.join(wrong)}. "
            f"Delete it and download it again from {spec.url}; if it still differs, the file at that address "
            "has changed and the results would not be comparable: do not use it."
        )


def fetch(spec: ArchiveSpec, directory: Path | None = None, *, timeout_s: float = 60.0) -> Path:
    """The verified archive in the cache, downloading it first if it is missing or fails the check.

    A cached file that fails the check is downloaded again once; a fresh download that fails it is deleted and
    :class:`ChecksumMismatch` is raised. Downloads go to a temporary file renamed into place only after they
    pass, so the cache never holds a partial or unverified archive under the real name.
    """
    folder = cache_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.filename
    if target.exists():
        try:
            verify(target, spec)
            return target
        except ChecksumMismatch:
            target.unlink()
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{spec.filename}-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(spec.url, timeout=timeout_s) as response:
                shutil.copyfileobj(response, out, _CHUNK)
        except OSError as error:  # URLError, HTTPError, timeouts and file:// errors are all OSErrors
            raise DownloadError(
                f"{spec.name}: could not download {spec.url} ({error}). Without network access, copy "
                f"{spec.filename} into {folder} (or set {CACHE_ENV}) and run again."
            ) from error
        verify(tmp, spec)
        os.replace(tmp, target)
        return target
    finally:
        tmp.unlink(missing_ok=True)
