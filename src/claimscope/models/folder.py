"""A model folder: ``model.onnx`` (or static embeddings), ``tokenizer.json``, ``card.json``; and
the onnxruntime session every runner opens on one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from claimscope.errors import SettingsError

# The folders that ship inside the package, by profile.
SHIPPED = {"default": "claims-minilm", "fast": "claims-static"}


def model_path(name: str) -> Path:
    """The path of a shipped model folder (``claims-minilm``) or of a user's folder."""
    candidate = Path(name)
    if candidate.is_dir():
        return candidate
    shipped = Path(str(resources.files("claimscope.models").joinpath(name)))
    if shipped.is_dir():
        return shipped
    raise SettingsError(f"model folder {name!r} not found (shipped: {', '.join(SHIPPED.values())})")


@dataclass(slots=True)
class ModelFolder:
    """A model folder's files and card, checked when loaded."""

    path: Path
    card: dict[str, Any]

    @classmethod
    def open(cls, name: str | Path) -> ModelFolder:
        """Open the folder and read its card; missing files are a SettingsError."""
        path = model_path(str(name))
        card_file = path / "card.json"
        if not card_file.is_file():
            raise SettingsError(f"model folder {path} has no card.json")
        card = json.loads(card_file.read_text(encoding="utf-8"))
        for required in card.get("files", ["model.onnx", "tokenizer.json"]):
            if not (path / required).is_file():
                raise SettingsError(f"model folder {path} lacks {required}")
        return cls(path=path, card=card)

    def threshold(self, task: str) -> float:
        """The decision threshold the card gives for ``task``."""
        return float(self.card["thresholds"][task])


def folder_installed(model: str) -> bool:
    """Whether the model folder ``model`` is there (a shipped name or a path)."""
    try:
        ModelFolder.open(model)
    except SettingsError:
        return False
    return True


def open_session(
    folder: ModelFolder, threads: int = 0, *, spin: bool = True, graph: str = "model.onnx"
) -> Any:
    """An onnxruntime session on ``folder``'s ``graph`` (``threads``: 0 for up to 4).

    ``spin=False`` stops idle worker threads from spinning: a model run once per query on a
    busy machine then takes half the time (8.9 against 18.4 ms a tweet on 2 loaded cores).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(
            str(folder.path / graph), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise SettingsError(f"cannot load {folder.path}/{graph}: {exc}") from None


def folder_name(folder: ModelFolder) -> str:
    """A model's name and version, from its card."""
    card = folder.card
    return f"{card.get('name', folder.path.name)} {card.get('version', '')}".strip()
