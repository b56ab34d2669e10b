"""Distillation targets for the shipped sentence models: the teacher's scores (logits) of the
claim trainer's own texts and of an unlabelled pool of English sentences.

A gold label says one thing about a text (a debate sentence is check-worthy or not); the
teacher says everything it knows about every text: how subjective the debate sentence is, how
check-worthy a news sentence is, which techniques a tweet uses. The student learns from both.

The pool is every English sentence source in the data folder that no figure is reported on:
PolNeAR train articles (news, which the subjectivity threshold is calibrated to), LIAR train
statements, CheckThat! 2020 and 2022 training tweets and Climate-FEVER evidence sentences. Test
and reported splits (CT24 dev, CT25 dev_test, PTC dev, PolNeAR dev) never enter it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from claimscope.persuasion.techniques import KEYS as TECHNIQUES

logger = logging.getLogger(__name__)

#: The order of a soft-target vector: check-worthiness, subjectivity, any technique, then one
#: logit per technique (``techniques.KEYS``), as the student's heads are laid out.
TARGETS = ("checkworthiness", "subjectivity", "any_technique", *TECHNIQUES)

# Sentences shorter than this are headlines, bylines or debris; longer ones are paragraphs the
# splitter could not cut (the student reads 96 tokens at most anyway).
_MIN_CHARS, _MAX_CHARS = 25, 400
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“‘'(]?[A-Z0-9])")

#: How many sentences each source gives the pool at most. The teacher scores about 5 sentences
#: a second on 2 cores, so 6,000 take 20 minutes; news gets half, as the student serves news.
DEFAULT_SHARES = {"polnear": 3000, "liar": 1000, "tweets": 1000, "climate_fever": 1000}


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line.strip()):
            piece = " ".join(piece.split())
            if _MIN_CHARS <= len(piece) <= _MAX_CHARS:
                yield piece


def _polnear(data_dir: Path) -> list[str]:
    folder = data_dir / "attribution" / "polnear" / "train" / "text"
    return [s for path in sorted(folder.glob("*.txt")) for s in _sentences(path.read_text())]


def _tsv_column(path: Path, column: str | int) -> list[str]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if isinstance(column, str):
        if not rows or column not in rows[0]:
            return []
        at, rows = rows[0].index(column), rows[1:]
    else:
        at = column
    return [" ".join(r[at].split()) for r in rows if len(r) > at]


def _liar(data_dir: Path) -> list[str]:
    return _tsv_column(data_dir / "verification" / "liar" / "train.tsv", 2)


def _tweets(data_dir: Path) -> list[str]:
    cw = data_dir / "checkworthiness"
    texts = _tsv_column(cw / "ct20_task1_tweets_training_v2.tsv", "tweet_text")
    for name in ("CT22_english_1A_checkworthy_train.tsv", "CT22_english_1B_claim_train.tsv"):
        texts += _tsv_column(cw / "ct22_task1" / name, "tweet_text")
    # A tweet's trailing link says nothing to a sentence model.
    return [re.sub(r"\s*https?://\S*$", "", t) for t in texts]


def _climate_fever(data_dir: Path) -> list[str]:
    path = data_dir / "verification" / "climate_fever" / "climate-fever-train.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out += [e["evidence"] for e in json.loads(line).get("evidences", [])]
    return out


_SOURCES = {
    "polnear": _polnear,
    "liar": _liar,
    "tweets": _tweets,
    "climate_fever": _climate_fever,
}


def unlabelled_pool(
    data_dir: Path,
    *,
    shares: Mapping[str, int] = DEFAULT_SHARES,
    exclude: Sequence[str] = (),
    seed: int = 0,
) -> tuple[list[str], dict[str, int]]:
    """Up to ``shares[source]`` distinct sentences from each source, seeded; ``exclude`` (the
    trainer's own texts, validation and reported ones included) never enters. Returns the pool
    and how many sentences each source gave."""
    seen = set(exclude)
    rng = random.Random(seed)
    pool: list[str] = []
    counts: dict[str, int] = {}
    for name, read in _SOURCES.items():
        texts = [t for t in dict.fromkeys(read(data_dir)) if _MIN_CHARS <= len(t) <= _MAX_CHARS]
        rng.shuffle(texts)
        taken = [t for t in texts if t not in seen][: shares.get(name, 0)]
        seen.update(taken)
        pool += taken
        counts[name] = len(taken)
    return pool, counts


def pool_logits(
    texts: Sequence[str],
    teacher: Path,
    cache: Path,
    *,
    chunk: int = 512,
) -> np.ndarray:
    """The teacher's logits of ``texts`` as ``(n, len(TARGETS))``, scored in chunks that are
    saved under ``cache`` as they finish: an interrupted run goes on where it stopped."""
    from claimscope.training.teacher import load_teacher, teacher_scores

    key = hashlib.sha256(
        json.dumps([str((teacher / "teacher.json").stat().st_mtime_ns), list(texts)]).encode()
    ).hexdigest()[:16]
    folder = cache / key
    folder.mkdir(parents=True, exist_ok=True)
    loaded = None
    parts = []
    started = time.perf_counter()
    for at in range(0, len(texts), chunk):
        path = folder / f"{at // chunk:05d}.npy"
        if not path.is_file():
            loaded = loaded or load_teacher(teacher)
            scores = teacher_scores(texts[at : at + chunk], loaded, logits=True)
            array = np.column_stack(
                [scores["checkworthiness"], scores["subjectivity"], scores["techniques"]]
            ).astype(np.float32)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, array)
            tmp.replace(path)
            done = at + chunk
            rate = done / max(1e-9, time.perf_counter() - started)
            logger.info(
                "teacher scores: %d/%d (%.1f sentences/s, %.0f min left)",
                min(done, len(texts)),
                len(texts),
                rate,
                (len(texts) - done) / rate / 60,
            )
        parts.append(np.load(path))
    return np.concatenate(parts) if parts else np.zeros((0, len(TARGETS)), np.float32)


def training_logits(teacher: Path) -> dict[str, np.ndarray]:
    """The teacher's logits of the trainer's own texts (``train_logits.npz``), by text."""
    with np.load(teacher / "train_logits.npz") as data:
        texts = [str(t) for t in data["texts"]]
        array = np.column_stack(
            [data["checkworthiness"], data["subjectivity"], data["techniques"]]
        ).astype(np.float32)
    return dict(zip(texts, array, strict=True))
