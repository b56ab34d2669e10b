import numpy as np

from claimscope.persuasion.decode import decode, sentence_techniques
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
