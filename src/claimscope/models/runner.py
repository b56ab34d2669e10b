"""The base of the model folders run over tokenized text: the folder named, the batch size and
threads it runs with, the opening of the folder and its tokenizer, and the model's name."""

from __future__ import annotations

from typing import Any

from claimscope.models.batches import read_tokenizer
from claimscope.models.folder import ModelFolder, folder_name


class FolderRunner:
    """A model folder (a name or path) and how it runs; a subclass's ``load()`` opens it."""

    def __init__(self, model: str, *, batch_size: int = 32, threads: int = 0) -> None:
        self.model = model
        self.batch_size = batch_size
        self.threads = threads

    def open_folder(self, max_tokens: int) -> dict[str, Any]:
        """Open the folder and its tokenizer, which truncates at the card's ``max_tokens`` (or
        at ``max_tokens`` where the card says none); the card."""
        self.folder_ = ModelFolder.open(self.model)
        card = self.folder_.card
        self.tokenizer_ = read_tokenizer(self.folder_.path, int(card.get("max_tokens", max_tokens)))
        return card

    @property
    def name(self) -> str:
        """The model's name and version, from its card."""
        return folder_name(self.folder_)
