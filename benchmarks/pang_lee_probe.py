"""Is Pang & Lee's movie subjectivity data worth adding to the subjectivity head?

A frozen-embedding probe: the claim model's sentence embeddings (its ``embedding`` output),
a logistic regression fitted on CT25 train, alone or with a sample of Pang & Lee sentences at
two weights. C and the threshold are chosen on CT25 dev; CT25 dev_test is only reported. The
issue asks to use the movie sentences only where they measure better.

    python benchmarks/pang_lee_probe.py --data-dir ../shared/data [--model DIR] [--sample 4000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))

from common import machine

from claimscope.evaluation.claim_data import read_examples
from claimscope.metrics import best_threshold, macro_f1_score
from claimscope.models.folder import SHIPPED, model_path

RESULTS = Path(__file__).resolve().parent / "results" / "pang_lee_probe.json"


def embedder(folder: Path) -> Any:
    """A function from texts to the model's L2-normalized sentence embeddings."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(96)
    tok.enable_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(str(folder / "model.onnx"), options)

    def embed(texts: list[str]) -> np.ndarray:
        rows = []
        for at in range(0, len(texts), 64):
            enc = tok.encode_batch(texts[at : at + 64])
            feed = {
                "input_ids": np.array([e.ids for e in enc], np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], np.int64),
            }
            rows.append(session.run(["embedding"], feed)[0])
        return np.vstack(rows)

    return embed


def pang_lee(folder: Path, sample: int, seed: int) -> list[tuple[str, int]]:
    """A seeded sample of the 10,000 sentences (objective 0, subjective 1)."""
    rows = []
    for name, label in (("subj.objective.txt", 0), ("subj.subjective.txt", 1)):
        text = (folder / name).read_text(encoding="latin-1")
        rows += [(line.strip(), label) for line in text.splitlines() if line.strip()]
    order = np.random.default_rng(seed).permutation(len(rows))[:sample]
    return [rows[i] for i in order]


def probe(
    train: tuple[np.ndarray, list[int], np.ndarray],
    dev: tuple[np.ndarray, list[int]],
    test: tuple[np.ndarray, list[int]],
) -> dict[str, Any]:
    """The best C and threshold on dev, and what they give on dev_test."""
    from sklearn.linear_model import LogisticRegression

    best: tuple[float, float, float, Any] | None = None
    for c in (0.1, 0.3, 1.0, 3.0, 10.0):
        clf = LogisticRegression(C=c, max_iter=3000).fit(train[0], train[1], sample_weight=train[2])
        t, f1 = best_threshold(dev[1], clf.predict_proba(dev[0])[:, 1].tolist(), metric="macro_f1")
        if best is None or f1 > best[0]:
            best = (f1, c, t, clf)
    assert best is not None
    f1, c, t, clf = best
    preds = [int(p >= t) for p in clf.predict_proba(test[0])[:, 1]]
    return {
        "C": c,
        "threshold": t,
        "dev_macro_f1": round(f1, 4),
        "dev_test_macro_f1": round(macro_f1_score(test[1], preds), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--model", default=SHIPPED["default"], help="A model folder or name.")
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = args.data_dir / "subjectivity"
    embed = embedder(model_path(args.model))
    splits = {
        name: read_examples(folder / f"ct25_{name}_en.tsv") for name in ("train", "dev", "dev_test")
    }
    x = {name: embed([e.text for e in ex]) for name, ex in splits.items()}
    y = {name: [e.label for e in ex] for name, ex in splits.items()}
    movies = pang_lee(folder / "pang_lee", args.sample, args.seed)
    x_movies, y_movies = embed([t for t, _ in movies]), [label for _, label in movies]
    rows = {}
    for weight in (0.0, 0.25, 1.0):
        if weight:
            train = (
                np.vstack([x["train"], x_movies]),
                y["train"] + y_movies,
                np.r_[np.ones(len(y["train"])), np.full(len(y_movies), weight)],
            )
        else:
            train = (x["train"], y["train"], np.ones(len(y["train"])))
        name = f"ct25 train + pang_lee (weight {weight:g})" if weight else "ct25 train"
        rows[name] = probe(train, (x["dev"], y["dev"]), (x["dev_test"], y["dev_test"]))
    result = {
        "benchmark": "pang_lee_probe",
        "machine": machine(),
        "model": str(args.model),
        "pang_lee_sample": args.sample,
        "results": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
