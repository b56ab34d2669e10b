"""Sentence scoring with the claim models: check-worthiness and subjectivity, batched.

Two kinds of model folder share one interface: the default encoder (ONNX, run by onnxruntime)
and the fast static-embedding model (a token-vector table averaged per sentence, then the
same kind of logistic heads), for corpus-scale runs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

import numpy as np

from claimscope.errors import SettingsError
from claimscope.models.batches import padded
from claimscope.models.embedder import StaticVectors
from claimscope.models.folder import SHIPPED, open_session
from claimscope.models.runner import FolderRunner
from claimscope.settings import Settings

logger = logging.getLogger(__name__)

TASKS = ("checkworthiness", "subjectivity")
# Per-token technique probabilities of one text: token offsets (k, 2) and probabilities (k, T).
TokenScores = tuple[np.ndarray, np.ndarray]
# The graph output of every token's contextual states (the top encoder layer's, then the
# technique layer's, each on its principal axes, float16), which the attribution tagger reads
# (extract/attribution_tagger.py; training/attribution_context_build.add_token_states).
TOKEN_STATES = "token_states"


class ClaimScorer(FolderRunner):
    """Scores sentences for every task in a model folder; ``load()`` does the work."""

    def __init__(self, model: str = SHIPPED["default"], *, batch_size: int = 32, threads: int = 0):
        super().__init__(model, batch_size=batch_size, threads=threads)

    def load(self) -> ClaimScorer:
        """Open the folder, the tokenizer and the ONNX session (or the static table)."""
        card = self.open_folder(128)
        self.kind_ = card.get("kind", "encoder")
        if self.kind_ == "encoder":
            self.session_ = open_session(self.folder_, self.threads)
            outputs = {o.name for o in self.session_.get_outputs()}
            self.has_techniques_ = {"techniques", "technique_tokens"} <= outputs
            self.has_states_ = TOKEN_STATES in outputs
        elif self.kind_ == "static":
            with np.load(self.folder_.path / "static.npz") as data:
                self.static_ = StaticVectors.from_npz(self.tokenizer_, data)
                self.heads_ = {
                    t: (data[f"{t}_w"].astype(np.float32), float(data[f"{t}_b"])) for t in TASKS
                }
            self.has_techniques_ = self.has_states_ = False
        else:
            raise SettingsError(f"unknown model kind {self.kind_!r} in {self.folder_.path}")
        return self

    @property
    def name(self) -> str:
        """The model's name and version, from its card."""
        card = self.folder_.card
        return f"{card['name']} v{card['version']}"

    def threshold(self, task: str) -> float:
        """The card's decision threshold for ``task``."""
        return self.folder_.threshold(task)

    def technique_thresholds(self) -> dict[str, float]:
        """The card's technique thresholds: one per technique, ``any`` and ``token``."""
        return {k: float(v) for k, v in self.folder_.card["techniques"]["thresholds"].items()}

    def score(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """P(positive) for each task, one value per text, in input order.

        A model with technique heads adds ``techniques``: one row per text, the any-technique
        probability then one per technique (``claimscope.persuasion.techniques.KEYS``).
        """
        return self.score_with_tokens(texts, tokens=False)[0]

    def score_with_tokens(
        self, texts: Sequence[str], *, tokens: bool = True, techniques: bool = True
    ) -> tuple[dict[str, np.ndarray], list[TokenScores] | None]:
        """``score()`` and, from the same encoder pass, each text's per-token technique scores
        (None when the model has no technique heads or ``tokens`` is false). ``techniques=False``
        leaves the technique outputs out (onnxruntime then skips the nodes only they need)."""
        out, token_scores, _ = self.score_with_states(
            texts, tokens=tokens, techniques=techniques, states=False
        )
        return out, token_scores

    def score_with_states(
        self, texts: Sequence[str], *, tokens: bool, techniques: bool, states: bool
    ) -> tuple[dict[str, np.ndarray], list[TokenScores] | None, list[TokenScores] | None]:
        """``score_with_tokens()`` and, with ``states`` and a model that has them, each text's
        token offsets and token states (``TOKEN_STATES``, as the graph gives them), from the
        same pass."""
        out = {t: np.zeros(len(texts), dtype=np.float32) for t in TASKS}
        if self.kind_ == "static":
            if texts:
                pooled = self.embed(texts)
                for task, (w, b) in self.heads_.items():
                    out[task] = 1.0 / (1.0 + np.exp(-(pooled @ w + b)))
            return out, None, None
        names = list(TASKS)
        if self.has_techniques_ and techniques:
            names.append("techniques")
            out["techniques"] = np.zeros((len(texts), self._n_techniques()), dtype=np.float32)
            if tokens:
                names.append("technique_tokens")
        if self.has_states_ and states:
            names.append(TOKEN_STATES)
        per_token: dict[str, list[TokenScores]] = {
            n: [] for n in ("technique_tokens", TOKEN_STATES) if n in names
        }
        if not texts:
            return out, per_token.get("technique_tokens"), per_token.get(TOKEN_STATES)
        rows: dict[str, list[TokenScores | None]] = {n: [None] * len(texts) for n in per_token}
        encodings = self.tokenizer_.encode_batch(list(texts))
        # Similar lengths together: padding is wasted work.
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            ids, mask, _ = padded([encodings[i] for i in idx])
            results = self.session_.run(names, {"input_ids": ids, "attention_mask": mask})
            for task, values in zip(names, results, strict=True):
                if task not in rows:
                    out[task][idx] = values
                    continue
                for row, i in enumerate(idx):
                    n = len(encodings[i].ids)
                    offsets = np.asarray(encodings[i].offsets, dtype=np.int64).reshape(n, 2)
                    rows[task][i] = (offsets, values[row, :n])
        for task, got in rows.items():
            per_token[task] = [r for r in got if r is not None]
        return out, per_token.get("technique_tokens"), per_token.get(TOKEN_STATES)

    def _n_techniques(self) -> int:
        shape = next(o for o in self.session_.get_outputs() if o.name == "techniques").shape
        return int(shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The L2-normalized sentence embeddings of a static model, one row per text.

        The heads were trained on exactly these (``claimscope.training.static`` calls this
        method); see ``StaticVectors.embed``.
        """
        if self.kind_ != "static":
            raise SettingsError(f"{self.folder_.path} is not a static model: embed() needs one")
        return self.static_.embed(texts)


@functools.cache
def load_scorer(model: str, threads: int = 0) -> ClaimScorer:
    """A loaded scorer, cached per process (the only global state: a lazy model cache)."""
    return ClaimScorer(model, threads=threads).load()


def scorer_for(settings: Settings) -> ClaimScorer | None:
    """The claim model the settings ask for, loaded once per process; None for ``rules``."""
    if settings.model:
        return load_scorer(settings.model, settings.threads)
    if settings.profile == "rules":
        return None
    return load_scorer(SHIPPED[settings.profile], settings.threads)
