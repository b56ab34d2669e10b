"""The precise rule of each persuasion technique: every rule of a grid measured on the PTC
validation articles and counted on news, and the choice under a cap on news density
(``claimscope train thresholds``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimscope.evaluation.persuasion import ScoredLines, prf, span_counts
from claimscope.persuasion.decode import Decoding, Rule, find_techniques, token_runs
from claimscope.persuasion.techniques import KEYS
from claimscope.spans import trim
from claimscope.training.threshold_scores import News, Scored


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
