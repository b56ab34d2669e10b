"""A model folder: ``model.onnx`` (or static embeddings), ``tokenizer.json``, ``card.json``."""

from __future__ import annotations

import json
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
