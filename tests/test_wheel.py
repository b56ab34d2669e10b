"""The wheel is a front door: built from the tree, installed as a new user would, it runs.

A fresh venv from this Python keeps the pip that Python ships (ensurepip's, not upgraded): the
wheel is built and installed with it, so a dependency that only a newer pip resolves fails here.
The install reaches the package index; pip's cache keeps later runs short. Slow (minutes cold):
deselect with ``-m 'not slow'``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "claimscope"


def _source_files() -> list[Path]:
    """The files a clone holds (tracked and untracked, not ignored), relative to ROOT."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout: what the build reads.
        files = [ROOT / "pyproject.toml", ROOT / "README.md", *PACKAGE.rglob("*")]
        return [p.relative_to(ROOT) for p in files if p.is_file() and "__pycache__" not in p.parts]
    names = [Path(n) for n in listed.decode().split("\0") if n]
    return [n for n in names if (ROOT / n).is_file()]


def _env() -> dict[str, str]:
    """This environment without the project's venv, so only the fresh one is seen."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str | Path], cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the fresh venv's bin folder) once the wheel is built and installed."""
    base = tmp_path_factory.mktemp("wheel")
    # A copy of the tree: a build in place would reuse a stale build/lib.
    source = base / "source"
    for name in _source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=base, timeout=300)
    bin_ = venv / "bin"
    dist = base / "dist"
    _run([bin_ / "pip", "wheel", source, "--no-deps", "-w", dist], cwd=base, timeout=600)
    (wheel,) = dist.glob("claimscope-*.whl")
    _run([bin_ / "pip", "install", wheel], cwd=base, timeout=1800)
    return wheel, bin_


def test_wheel_holds_the_shipped_models_and_example(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for p in PACKAGE.glob("models/*/*") if p.is_file()]
    assert shipped, "no model files under src/claimscope/models"
    expected = {p.relative_to(PACKAGE.parent).as_posix() for p in shipped}
    expected.add("claimscope/examples/harbour.txt")
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"


def test_wheel_installed_command_analyzes_the_example(installed, tmp_path):
    _, bin_ = installed
    example = PACKAGE / "examples" / "harbour.txt"
    result = _run([bin_ / "claimscope", "analyze", example, "--json", "-"], tmp_path, timeout=300)
    data = json.loads(result.stdout)
    assert data["claims"]
    # Claims were ranked by a model the wheel ships, not a fallback.
    models = {p.name for p in PACKAGE.glob("models/*") if p.is_dir()}
    assert any(name in data["ranking"] for name in models), data["ranking"]
