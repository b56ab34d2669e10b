"""Thresholds chosen from data and written into a model's card: ``claimscope train thresholds``.

Two choices, each made on training-side data and reported on held-out data:

- **techniques, precision first**: per technique, the decoding rule (sentence threshold, token
  threshold, whether a whole sentence may be a span, the least a single word needs) that is
  right at least half the time on the PTC validation articles, as span precision; a technique
  no rule makes precise enough is left out of the precise set (shown only with
  ``techniques_shown="all"``). Then the rules are tightened until neutral reporting (the
  mainstream outlets of PolNeAR's train articles) has at most ``max_news_density`` spans per
  1,000 words. Reported: PTC dev, PolNeAR dev.
- **subjectivity at a news prior**: the threshold that maximizes macro-F1 on CT25 dev re-weighted
  so that subjective sentences are ``subjective_share`` of it (news has fewer opinions than
  dev's 52%). Reported: CT25 dev_test.

The model's outputs for every dataset are computed once and kept under the cache folder
(``$CLAIMSCOPE_CACHE`` or ~/.cache/claimscope), keyed by the model's weights and the texts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimscope.evaluation.claim_data import read_examples
from claimscope.evaluation.persuasion import ScoredLines, measure, prf, span_counts
from claimscope.evaluation.ptc import Article, read_ptc
from claimscope.metrics import binary_scores, macro_f1_score
from claimscope.models.scorer import ClaimScorer, TokenScores
from claimscope.persuasion.decode import Decoding, Rule, find_techniques, token_runs
from claimscope.persuasion.techniques import KEYS
from claimscope.spans import trim
from claimscope.training.teacher_base import cache_root

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Scored:
    """A model's outputs for some texts: check-worthiness, subjectivity, the technique heads
    (any, then one per technique) and, per text, the token offsets and token probabilities."""

    checkworthiness: np.ndarray
    subjectivity: np.ndarray
    techniques: np.ndarray
    tokens: list[TokenScores]


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:20]


def model_digest(scorer: ClaimScorer) -> str:
    """A digest of the model's weights and tokenizer (its cache key)."""
    path = scorer.folder_.path
    return _digest((path / "model.onnx").read_bytes(), (path / "tokenizer.json").read_bytes())


def score_cached(scorer: ClaimScorer, texts: Sequence[str], *, cache: Path | None = None) -> Scored:
    """The model's outputs for ``texts``, computed once and kept in the cache folder."""
    folder = (cache or cache_root()) / "scores" / model_digest(scorer)
    key = _digest("\x00".join(texts).encode("utf-8", "surrogatepass"))
    file = folder / f"{key}.npz"
    if file.is_file():
        with np.load(file) as data:
            counts = data["token_counts"]
            bounds = np.concatenate([[0], np.cumsum(counts)])
            offsets, probs = data["token_offsets"], data["token_probs"].astype(np.float32)
            tokens = [
                (offsets[a:b].astype(np.int64), probs[a:b]) for a, b in itertools.pairwise(bounds)
            ]
            return Scored(data["checkworthiness"], data["subjectivity"], data["techniques"], tokens)
    logger.info("scoring %d texts (cached in %s)", len(texts), file)
    scores, token_scores = scorer.score_with_tokens(texts)
    if token_scores is None:
        raise ValueError(f"model {scorer.name} has no technique heads")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        checkworthiness=scores["checkworthiness"],
        subjectivity=scores["subjectivity"],
        techniques=scores["techniques"],
        token_counts=np.array([len(o) for o, _ in token_scores], dtype=np.int64),
        token_offsets=np.concatenate([o for o, _ in token_scores]).astype(np.int32),
        token_probs=np.concatenate([p for _, p in token_scores]).astype(np.float16),
    )
    tmp.replace(file)
    return Scored(
        scores["checkworthiness"],
        scores["subjectivity"],
        scores["techniques"],
        [(o, p.astype(np.float16).astype(np.float32)) for o, p in token_scores],
    )


# -- the data -------------------------------------------------------------------------------

MAINSTREAM = ("nyt", "wash-post", "usa-today", "politico")


@dataclass(slots=True)
class News:
    """Unlabelled news articles as the run time reads them: each article's outlet and word
    count, and its sentences (from the structure stage) with the model's outputs."""

    outlets: list[str]
    words: list[int]
    texts: list[str]
    article_of: np.ndarray  # article index of each sentence
    scored: Scored

    def keep(self, outlets: Sequence[str]) -> np.ndarray:
        """A mask over the sentences of the articles from ``outlets``."""
        wanted = np.array([o in outlets for o in self.outlets], dtype=bool)
        return wanted[self.article_of] if len(self.article_of) else np.zeros(0, dtype=bool)

    def word_count(self, outlets: Sequence[str]) -> int:
        """The words of the articles from ``outlets`` (whitespace-separated, as density counts)."""
        return sum(w for o, w in zip(self.outlets, self.words, strict=True) if o in outlets)


def read_news(folder: Path, scorer: ClaimScorer, *, cache: Path | None = None) -> News:
    """The PolNeAR articles of ``folder`` (``text/<outlet>_<date>_<slug>.txt``), read and cut
    into sentences as ``claimscope analyze`` does, then scored (once; cached)."""
    from claimscope.ingest import read_path
    from claimscope.model import Analysis, Document
    from claimscope.settings import Settings
    from claimscope.text.stage import structure

    settings = Settings()
    outlets: list[str] = []
    words: list[int] = []
    texts: list[str] = []
    article_of: list[int] = []
    files = sorted((folder / "text").glob("*.txt"))
    if not files:
        raise ValueError(f"no PolNeAR articles under {folder / 'text'}")
    for file in files:
        docs = [d for d in read_path(file, settings=settings) if isinstance(d, Document)]
        if len(docs) != 1:
            continue
        analysis = Analysis(document=docs[0])
        structure(analysis, settings)
        outlets.append(file.name.split("_", 1)[0])
        words.append(len(analysis.text.split()))
        for s in analysis.sentences:
            texts.append(analysis.text[s.start : s.end])
            article_of.append(len(outlets) - 1)
    scored = score_cached(scorer, texts, cache=cache)
    return News(outlets, words, texts, np.array(article_of, dtype=np.int64), scored)


# -- techniques: the precise rule of each ---------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """One rule of one technique and what it does on validation articles and on news."""

    rule: Rule
    predicted: int
    precision: float
    recall: float
    f1: float
    news_spans: int


@dataclass(slots=True)
class _Runs:
    """The token runs of one technique at one token threshold, over some sentences."""

    sentence: np.ndarray  # sentence index of each run
    top: np.ndarray  # highest token probability of the run
    single: np.ndarray  # the run is one word
    credit_p: np.ndarray  # precision credit (share of the run inside gold spans)
    credit_r: np.ndarray  # recall credit (share of gold spans the run covers)
    has_run: np.ndarray  # per sentence: at least one run


def _runs(
    texts: Sequence[str],
    scored: Scored,
    column: int,
    threshold: float,
    candidates: np.ndarray,
    credit: Callable[[int, int, int], tuple[float, float]] | None = None,
) -> _Runs:
    sentence, top, single, cp, cr = [], [], [], [], []
    has_run = np.zeros(len(texts), dtype=bool)
    for i in np.flatnonzero(candidates).tolist():
        offsets, probs = scored.tokens[i]
        runs = token_runs(texts[i], offsets, probs[:, column], threshold)
        has_run[i] = bool(runs)
        for a, b, p in runs:
            sentence.append(i)
            top.append(p)
            single.append(len(texts[i][a:b].split()) == 1)
            p_credit, r_credit = credit(i, a, b) if credit else (0.0, 0.0)
            cp.append(p_credit)
            cr.append(r_credit)
    return _Runs(
        np.array(sentence, dtype=np.int64),
        np.array(top, dtype=np.float64),
        np.array(single, dtype=bool),
        np.array(cp),
        np.array(cr),
        has_run,
    )


def technique_candidates(
    key: str,
    validation: ScoredLines,
    news: News,
    news_mask: np.ndarray,
    *,
    sentence_grid: Sequence[float],
    token_grid: Sequence[float],
) -> tuple[list[Candidate], int]:
    """Every rule of the grids for technique ``key``, measured on the validation articles
    (span precision, recall and F1 with partial-overlap credit, as ``claimscope eval
    persuasion`` scores them) and counted on the news sentences of ``news_mask``; and the
    number of gold spans of the technique in the validation articles."""
    column = KEYS.index(key)
    lines = validation.lines
    texts = [a.text[s:e] for a, s, e in lines]
    sprob = validation.scores["techniques"][:, column + 1].astype(np.float64)
    gold = {
        a.id: [(g.technique, g.start, g.end) for g in a.spans if g.technique == key]
        for a in validation.articles
    }
    n_gold = int(sum(span_counts(g, [], labelled=True)[3] for g in gold.values()))

    def credit(i: int, a: int, b: int) -> tuple[float, float]:
        article, start, _ = lines[i]
        counts = span_counts(gold[article.id], [(key, start + a, start + b)], labelled=True)
        return counts[0], counts[2]

    whole = [trim(t, 0, len(t)) for t in texts]
    whole_p, whole_r = np.zeros(len(texts)), np.zeros(len(texts))
    for i, (a, b) in enumerate(whole):
        if b > a:
            whole_p[i], whole_r[i] = credit(i, a, b)
    has_text = np.array([b > a for a, b in whole], dtype=bool)
    news_sprob = news.scored.techniques[:, column + 1].astype(np.float64)
    news_top = np.array(
        [float(p[:, column].max()) if len(p) else 0.0 for _, p in news.scored.tokens]
    )
    val_top = np.array([float(p[:, column].max()) if len(p) else 0.0 for _, p in validation.tokens])
    news_text = np.array([bool(t.strip()) for t in news.texts], dtype=bool)
    low = min(sentence_grid)
    out: list[Candidate] = []
    for k in token_grid:
        val = _runs(
            texts, _as_scored(validation), column, k, (val_top >= k) & (sprob >= low), credit
        )
        nws = _runs(
            news.texts, news.scored, column, k, news_mask & (news_top >= k) & (news_sprob >= low)
        )
        for s in sentence_grid:
            v_in = sprob[val.sentence] >= s
            n_in = news_sprob[nws.sentence] >= s
            v_whole = (sprob >= s) & ~val.has_run & has_text
            n_whole = news_mask & (news_sprob >= s) & ~nws.has_run & news_text
            for k1 in [x for x in token_grid if x >= k]:
                v_sel = v_in & (~val.single | (val.top >= k1))
                n_runs = int((n_in & (~nws.single | (nws.top >= k1))).sum())
                for whole_sentence in (False, True):
                    p_num = float(val.credit_p[v_sel].sum())
                    r_num = float(val.credit_r[v_sel].sum())
                    predicted = int(v_sel.sum())
                    news_spans = n_runs
                    if whole_sentence:
                        p_num += float(whole_p[v_whole].sum())
                        r_num += float(whole_r[v_whole].sum())
                        predicted += int(v_whole.sum())
                        news_spans += int(n_whole.sum())
                    scores = prf(p_num, predicted, r_num, n_gold)
                    out.append(
                        Candidate(
                            Rule(round(s, 2), round(k, 2), round(k1, 2), whole_sentence),
                            predicted,
                            scores["precision"],
                            scores["recall"],
                            scores["f1"],
                            news_spans,
                        )
                    )
    return out, n_gold


def _as_scored(lines: ScoredLines) -> Scored:
    s = lines.scores
    return Scored(s["checkworthiness"], s["subjectivity"], s["techniques"], lines.tokens)


def choose_rules(
    candidates: Mapping[str, Sequence[Candidate]],
    *,
    news_words: int,
    precision: float,
    min_spans: int,
    max_news_density: float,
) -> tuple[dict[str, Candidate], list[str]]:
    """The precise rule of each technique and the log of how the news cap moved them.

    A rule qualifies when its validation span precision reaches ``precision`` over at least
    ``min_spans`` predicted spans; of those, the best F1 is taken (then the higher precision,
    then fewer spans on news). Then, while the rules together find more than
    ``max_news_density`` spans per 1,000 words of news, the technique with the most news spans
    moves to its best qualifying rule with fewer, or loses its rule when it has none.
    """
    feasible = {
        key: sorted(
            (c for c in cands if c.precision >= precision and c.predicted >= min_spans),
            key=lambda c: (-c.f1, -c.precision, c.news_spans),
        )
        for key, cands in candidates.items()
    }
    chosen = {key: cands[0] for key, cands in feasible.items() if cands}
    log: list[str] = []

    def density() -> float:
        return 1000 * sum(c.news_spans for c in chosen.values()) / max(news_words, 1)

    while chosen and density() > max_news_density:
        key = max(chosen, key=lambda k: chosen[k].news_spans)
        fewer = [c for c in feasible[key] if c.news_spans < chosen[key].news_spans]
        if fewer:
            chosen[key] = fewer[0]
            log.append(f"{key}: {chosen[key].news_spans} news spans ({density():.2f} per 1,000)")
        else:
            del chosen[key]
            log.append(f"{key}: no qualifying rule finds fewer news spans; hidden")
    return chosen, log


SENTENCE_GRID: tuple[float, ...] = tuple(round(x / 10, 1) for x in range(10))
TOKEN_GRID: tuple[float, ...] = tuple(round(x / 100, 2) for x in range(30, 100, 5))


@dataclass(slots=True, frozen=True)
class Targets:
    """What the thresholds are chosen for (each is a ``train thresholds`` option)."""

    precision: float = 0.55  # validation span precision of a precise rule (0.50 and a margin)
    min_spans: int = 20  # validation spans a rule must find for its precision to count
    max_news_density: float = 10.0  # precise spans per 1,000 words of mainstream news
    subjective_share: float = 0.275  # share of subjective sentences in news
    outlets: tuple[str, ...] = MAINSTREAM


def _scored_lines(
    scorer: ClaimScorer, articles: Sequence[Article], cache: Path | None
) -> ScoredLines:
    lines = [(a, start, end) for a in articles for start, end in a.sentences()]
    scored = score_cached(scorer, [a.text[s:e] for a, s, e in lines], cache=cache)
    scores = {
        "checkworthiness": scored.checkworthiness,
        "subjectivity": scored.subjectivity,
        "techniques": scored.techniques,
    }
    return ScoredLines(articles, lines, scores, scored.tokens)


def news_density(
    news: News, outlets: Sequence[str], decoding: Decoding, shown: str
) -> dict[str, Any]:
    """Technique spans per 1,000 words over the articles of ``outlets``, as ``analyze`` finds
    them, and the count per technique."""
    mask = news.keep(outlets)
    counts: dict[str, int] = {}
    for i in np.flatnonzero(mask):
        offsets, probs = news.scored.tokens[i]
        for f in find_techniques(
            news.scored.techniques[i],
            probs,
            offsets,
            news.texts[i],
            decoding,
            shown,  # type: ignore[arg-type]
        ):
            counts[f.technique] = counts.get(f.technique, 0) + 1
    words = news.word_count(outlets)
    spans = sum(counts.values())
    return {
        "articles": sum(1 for o in news.outlets if o in outlets),
        "words": words,
        "spans": spans,
        "density": round(1000 * spans / words, 2) if words else 0.0,
        "counts": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def subjectivity_threshold(news_scores: np.ndarray, share: float) -> float:
    """The threshold (to 0.01) at which the share of news sentences marked subjective is
    closest to ``share``."""
    grid = [step / 100 for step in range(1, 100)]
    return min(grid, key=lambda t: (abs(float(np.mean(news_scores >= t)) - share), t))


def _subjectivity_report(
    labels: Sequence[int], scores: np.ndarray, threshold: float
) -> dict[str, Any]:
    preds = [int(s >= threshold) for s in scores]
    return {
        **binary_scores(list(labels), preds),
        "macro_f1": macro_f1_score(list(labels), preds),
        "predicted_subjective": sum(preds),
    }


def choose_thresholds(
    model: Path,
    data_dir: Path,
    *,
    targets: Targets = Targets(),
    cache: Path | None = None,
    command: str = "",
) -> dict[str, Any]:
    """Choose the precise technique rules and the subjectivity threshold of the model folder
    ``model`` and write them, with what they measure, into its ``card.json``.

    Reads under ``data_dir``: persuasion/ptc (the card's validation articles choose, its dev
    articles report), attribution/polnear/train (news: the cap on density, the subjective
    share) and dev (reported), subjectivity/ct25_dev_en.tsv and ct25_dev_test_en.tsv (reported
    only). Returns the summary it prints.
    """
    scorer = ClaimScorer(str(model)).load()
    if not scorer.has_techniques_:
        raise ValueError(f"model {model} has no technique heads")
    card_file = scorer.folder_.path / "card.json"
    card = json.loads(card_file.read_text(encoding="utf-8"))
    split = card["techniques"]["split"]
    by_id = {a.id: a for a in read_ptc(data_dir / "persuasion" / "ptc")}
    ptc = {name: [by_id[i] for i in split[name] if i in by_id] for name in ("validation", "dev")}
    lines = {name: _scored_lines(scorer, arts, cache) for name, arts in ptc.items()}
    polnear = data_dir / "attribution" / "polnear"
    news = {name: read_news(polnear / name, scorer, cache=cache) for name in ("train", "dev")}
    outlets = targets.outlets
    train_mask = news["train"].keep(outlets)
    train_words = news["train"].word_count(outlets)

    candidates: dict[str, list[Candidate]] = {}
    gold: dict[str, int] = {}
    for key in KEYS:
        candidates[key], gold[key] = technique_candidates(
            key,
            lines["validation"],
            news["train"],
            train_mask,
            sentence_grid=SENTENCE_GRID,
            token_grid=TOKEN_GRID,
        )
    chosen, log = choose_rules(
        candidates,
        news_words=train_words,
        precision=targets.precision,
        min_spans=targets.min_spans,
        max_news_density=targets.max_news_density,
    )
    thresholds = {k: float(v) for k, v in card["techniques"]["thresholds"].items()}
    decoding = Decoding(thresholds, {k: c.rule for k, c in chosen.items()})

    metrics: dict[str, dict[str, Any]] = {"precise": {}, "all": {}}
    for shown in ("precise", "all"):
        for name in ("validation", "dev"):
            report = measure(
                scorer,
                ptc[name],
                decoding,
                shown=shown,
                scored=lines[name],  # type: ignore[arg-type]
            )
            report.pop("predictions")
            metrics[shown][name] = {"split": name, **report}
    density = {
        shown: {
            f"polnear_{name}_{group}": news_density(news[name], group_outlets, decoding, shown)
            for name in ("train", "dev")
            for group, group_outlets in (
                ("mainstream", outlets),
                ("all", tuple(sorted(set(news[name].outlets)))),
            )
        }
        for shown in ("precise", "all")
    }
    best = {
        key: {
            "best_precision_with_enough_spans": max(
                (c.precision for c in cands if c.predicted >= targets.min_spans), default=0.0
            ),
            "gold_spans": gold[key],
        }
        for key, cands in candidates.items()
    }

    # Subjectivity at a news prior.
    subj_dir = data_dir / "subjectivity"
    news_subj = news["train"].scored.subjectivity[train_mask]
    # The threshold before this command first ran (kept when it runs again).
    old_threshold = float(
        card.get("subjectivity_threshold", {}).get(
            "previous_threshold", card["thresholds"]["subjectivity"]
        )
    )
    new_threshold = subjectivity_threshold(news_subj, targets.subjective_share)
    subj: dict[str, Any] = {
        "method": "the threshold at which the share of sentences of mainstream news (PolNeAR "
        f"train: {', '.join(outlets)}) marked SUBJ is closest to the news prior",
        "news_prior": targets.subjective_share,
        "threshold": new_threshold,
        "previous_threshold": old_threshold,
        "news_share": {},
    }
    for name in ("train", "dev"):
        scores = news[name].scored.subjectivity[news[name].keep(outlets)]
        subj["news_share"][f"polnear_{name}_mainstream"] = {
            "at_threshold": round(float(np.mean(scores >= new_threshold)), 4),
            "at_previous_threshold": round(float(np.mean(scores >= old_threshold)), 4),
        }
    for name, file in (("validation", "ct25_dev_en.tsv"), ("held_out", "ct25_dev_test_en.tsv")):
        examples = read_examples(subj_dir / file)
        scores = score_cached(scorer, [e.text for e in examples], cache=cache).subjectivity
        labels = [e.label for e in examples]
        subj[name] = {
            "file": file,
            "subjective_share": round(sum(labels) / len(labels), 4),
            "at_threshold": _subjectivity_report(labels, scores, new_threshold),
            "at_previous_threshold": _subjectivity_report(labels, scores, old_threshold),
        }

    precise_section = {
        "rules": {k: decoding.precise[k].as_dict() for k in KEYS if k in decoding.precise},
        "hidden": [k for k in KEYS if k not in decoding.precise],
        "selection": (
            f"per technique, of the rules on a grid (sentence threshold {SENTENCE_GRID[0]}-"
            f"{SENTENCE_GRID[-1]}, token and one-word thresholds {TOKEN_GRID[0]}-{TOKEN_GRID[-1]}, "
            "whole-sentence spans or not), those whose span precision (partial overlap) on the "
            f"validation articles reaches {targets.precision} over at least {targets.min_spans} "
            "spans; the best span F1 of them; then, while the precise spans of all techniques "
            f"exceed {targets.max_news_density:g} per 1,000 words on the mainstream articles "
            f"of PolNeAR train ({', '.join(outlets)}), the technique with the most moves to a "
            "rule with fewer or is hidden. The dev articles and PolNeAR dev choose nothing."
        ),
        "targets": {
            "validation_span_precision": targets.precision,
            "min_spans": targets.min_spans,
            "max_news_density": targets.max_news_density,
            "news_outlets": list(outlets),
        },
        "news_cap_log": log,
        "validation_rules": {
            k: {
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
                "predicted": c.predicted,
                "news_spans": c.news_spans,
            }
            for k, c in chosen.items()
        },
        "best_validation_precision": best,
        "metrics": metrics["precise"],
        "density": density["precise"],
        "command": command,
        "chosen": dt.date.today().isoformat(),
    }
    techniques = card["techniques"]
    techniques["precise"] = precise_section
    techniques["metrics"] = metrics["all"]
    techniques["density_all"] = density["all"]
    techniques["metrics_note"] = (
        "metrics: every span (techniques_shown='all': the sensitive thresholds above, with the "
        "precise spans); precise.metrics: the default (techniques_shown='precise')"
    )

    card["thresholds"]["subjectivity"] = new_threshold
    card["threshold_selection"] = (
        "check-worthiness: maximizes F1 of the int8 model on validation data (10% of the CT24 "
        "train file, stratified, seeded); subjectivity: the share of mainstream-news sentences "
        f"marked SUBJ matches a news prior of {targets.subjective_share:g} (see "
        "subjectivity_threshold); never on the reported files"
    )
    card["subjectivity_threshold"] = subj
    held = subj["held_out"]["at_threshold"]
    card["metrics"]["held_out"]["subjectivity"] = {"file": subj["held_out"]["file"], **held}
    card["metrics"]["validation_int8"]["subjectivity"] = {
        "threshold": new_threshold,
        "macro_f1": subj["validation"]["at_threshold"]["macro_f1"],
    }
    dev_precise = metrics["precise"]["dev"]
    shown_precision = [
        dev_precise["spans_per_technique"][k]["precision"] for k in precise_section["rules"]
    ]
    news_dev = density["precise"]["polnear_dev_mainstream"]["density"]
    card["targets"].update(
        {
            "subjectivity_macro_f1_ct25_dev_test": _target(0.78, held["macro_f1"]),
            "techniques_binary_f1_ptc_dev": _target(0.63, dev_precise["binary"]["f1"]),
            "techniques_micro_f1_ptc_dev": _target(0.40, dev_precise["micro"]["f1"]),
            "techniques_span_precision_each_shown_ptc_dev": _target(
                0.50, min(shown_precision, default=0.0)
            ),
            "techniques_density_polnear_dev_mainstream": {
                "target": "<= 10 and <= half the PTC dev density",
                "measured": news_dev,
                "ptc_dev": dev_precise["density"],
                "met": news_dev <= 10 and news_dev <= dev_precise["density"] / 2,
            },
        }
    )
    card_file.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {
        "rules": precise_section["rules"],
        "hidden": precise_section["hidden"],
        "news_cap_log": log,
        "validation_rules": precise_section["validation_rules"],
        "ptc": {
            shown: {
                name: {
                    "binary_f1": m["binary"]["f1"],
                    "micro_f1": m["micro"]["f1"],
                    "span_f1": m["spans"]["f1"],
                    "span_precision": m["spans"]["precision"],
                    "density": m["density"],
                    "span_precision_shown": {
                        k: round(m["spans_per_technique"][k]["precision"], 4)
                        for k in precise_section["rules"]
                    },
                }
                for name, m in metrics[shown].items()
            }
            for shown in ("precise", "all")
        },
        "news_density": {
            shown: {k: v["density"] for k, v in d.items()} for shown, d in density.items()
        },
        "subjectivity": {
            "threshold": new_threshold,
            "previous": old_threshold,
            "ct25_dev_macro_f1": subj["validation"]["at_threshold"]["macro_f1"],
            "ct25_dev_test_macro_f1": held["macro_f1"],
            "ct25_dev_test_macro_f1_previous": subj["held_out"]["at_previous_threshold"][
                "macro_f1"
            ],
        },
    }


def _target(target: float, measured: float) -> dict[str, Any]:
    return {"target": target, "measured": round(measured, 4), "met": measured >= target}
