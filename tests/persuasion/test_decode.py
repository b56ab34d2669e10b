import numpy as np

from claimscope.persuasion.decode import (
    Decoding,
    Rule,
    decode,
    decode_precise,
    find_techniques,
    sentence_techniques,
)
from claimscope.persuasion.techniques import KEYS

LOADED, DOUBT = KEYS.index("loaded_language"), KEYS.index("doubt")
THRESHOLDS = {**{k: 0.5 for k in KEYS}, "any": 0.6, "token": 0.5}


def _probs(any_: float, **techniques: float) -> np.ndarray:
    p = np.zeros(len(KEYS) + 1, dtype=np.float32)
    p[0] = any_
    for key, value in techniques.items():
        p[KEYS.index(key) + 1] = value
    return p


def test_sentence_techniques_uses_thresholds_and_falls_back_on_the_any_head():
    assert sentence_techniques(_probs(0.9, loaded_language=0.7), THRESHOLDS) == [LOADED]
    # Only the any-head fires: the most likely technique is kept.
    assert sentence_techniques(_probs(0.7, doubt=0.3, fear=0.1), THRESHOLDS) == [DOUBT]
    assert sentence_techniques(_probs(0.2, doubt=0.3), THRESHOLDS) == []


def test_decode_joins_token_runs_into_spans():
    text = "A truly disgraceful plan, sadly."
    # [CLS] A truly disgraceful plan , sadly . [SEP]
    offsets = np.array(
        [(0, 0), (0, 1), (2, 7), (8, 19), (20, 24), (24, 25), (26, 31), (31, 32), (0, 0)]
    )
    tokens = np.zeros((len(offsets), len(KEYS)), dtype=np.float32)
    tokens[[2, 3], LOADED] = 0.9  # "truly disgraceful"
    tokens[6, LOADED] = 0.8  # "sadly": a second run after a non-hit token
    tokens[0, LOADED] = 0.99  # special tokens never make a span
    (a, b) = decode(_probs(0.9, loaded_language=0.8), tokens, offsets, text, THRESHOLDS)
    assert (text[a.start : a.end], text[b.start : b.end]) == ("truly disgraceful", "sadly")
    assert a.technique == "loaded_language" and a.score == 0.8


def test_decode_covers_the_sentence_when_no_token_fires():
    text = "  Is that really true?  "
    offsets = np.array([(0, 0), (2, 4), (0, 0)])
    tokens = np.zeros((3, len(KEYS)), dtype=np.float32)
    (found,) = decode(_probs(0.9, doubt=0.9), tokens, offsets, text, THRESHOLDS)
    assert text[found.start : found.end] == "Is that really true?"


def test_decode_widens_word_pieces_to_whole_words():
    text = "They keep defying us."
    # [CLS] they keep def ##ying us . [SEP]
    offsets = np.array([(0, 0), (0, 4), (5, 9), (10, 13), (13, 17), (18, 20), (20, 21), (0, 0)])
    tokens = np.zeros((len(offsets), len(KEYS)), dtype=np.float32)
    tokens[3, LOADED] = 0.9  # only "def" fires
    (found,) = decode(_probs(0.9, loaded_language=0.8), tokens, offsets, text, THRESHOLDS)
    assert text[found.start : found.end] == "defying"


def _tokens(text):
    """Offsets of ``text`` split on spaces, with [CLS] and [SEP], and a zero probability table."""
    offsets, at = [(0, 0)], 0
    for word in text.split(" "):
        offsets.append((at, at + len(word)))
        at += len(word) + 1
    offsets.append((0, 0))
    probs = np.zeros((len(offsets), len(KEYS)), dtype=np.float32)
    return np.array(offsets), probs


def test_decode_never_makes_a_span_of_function_words_only():
    text = "It passed as expected"
    offsets, tokens = _tokens(text)
    tokens[3, LOADED] = 0.99  # "as"
    found = decode(_probs(0.9, loaded_language=0.9), tokens, offsets, text, THRESHOLDS)
    # No run is left, so the sentence-wide fallback applies; "as" alone is never a span.
    assert [text[f.start : f.end] for f in found] == [text]
    tokens[4, LOADED] = 0.9  # "as expected": a run with a content word stays
    found = decode(_probs(0.9, loaded_language=0.9), tokens, offsets, text, THRESHOLDS)
    assert [text[f.start : f.end] for f in found] == ["as expected"]
    assert not found[0].precise


RULES = {"loaded_language": Rule(sentence=0.3, token=0.6, single_word=0.8)}


def test_decode_precise_keeps_only_what_each_rule_allows():
    text = "A truly disgraceful and shameful plan"
    offsets, tokens = _tokens(text)
    tokens[3, LOADED] = 0.7  # "disgraceful": one word under single_word
    tokens[5, LOADED] = 0.85  # "shameful": one word over it
    tokens[1:7, DOUBT] = 0.99  # doubt has no rule: never precise
    probs = _probs(0.9, loaded_language=0.5, doubt=0.9)
    found = decode_precise(probs, tokens, offsets, text, RULES)
    assert [(f.technique, text[f.start : f.end], f.precise) for f in found] == [
        ("loaded_language", "shameful", True)
    ]
    tokens[2, LOADED] = 0.65  # "truly disgraceful": two words, over the token threshold
    found = decode_precise(probs, tokens, offsets, text, RULES)
    assert [text[f.start : f.end] for f in found] == ["truly disgraceful", "shameful"]
    # Under the rule's sentence threshold nothing is found; no run and no whole-sentence
    # permission, nothing either.
    assert not decode_precise(_probs(0.9, loaded_language=0.2), tokens, offsets, text, RULES)
    quiet = np.zeros_like(tokens)
    assert not decode_precise(probs, quiet, offsets, text, RULES)
    whole = {"loaded_language": Rule(0.3, 0.6, 0.8, whole_sentence=True)}
    (found,) = decode_precise(probs, quiet, offsets, text, whole)
    assert text[found.start : found.end] == text


def test_find_techniques_shows_precise_spans_and_with_all_the_rest_marked():
    text = "A truly disgraceful and shameful plan"
    offsets, tokens = _tokens(text)
    tokens[5, LOADED] = 0.85  # "shameful": precise
    tokens[3, LOADED] = 0.55  # "disgraceful": sensitive rule only
    probs = _probs(0.9, loaded_language=0.7, doubt=0.6)
    decoding = Decoding(THRESHOLDS, RULES)
    precise = find_techniques(probs, tokens, offsets, text, decoding)
    assert [(text[f.start : f.end], f.precise) for f in precise] == [("shameful", True)]
    every = find_techniques(probs, tokens, offsets, text, decoding, "all")
    assert [(f.technique, text[f.start : f.end], f.precise) for f in every] == [
        ("loaded_language", "disgraceful", False),
        ("loaded_language", "shameful", True),  # not repeated by the sensitive rule
        ("doubt", text, False),
    ]


def test_decoding_from_card_reads_both_rules():
    card = {
        "techniques": {
            "thresholds": THRESHOLDS,
            "precise": {"rules": {"loaded_language": RULES["loaded_language"].as_dict()}},
        }
    }
    decoding = Decoding.from_card(card)
    assert decoding.precise == RULES and decoding.thresholds == THRESHOLDS
    assert Decoding.from_card({"techniques": {"thresholds": THRESHOLDS}}).precise == {}
