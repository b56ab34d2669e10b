"""Which token state each word of the attribution tagger's windows reads."""

import numpy as np

from claimscope.extract.attribution_features import (
    Layout,
    first_subwords,
    window_states,
    windows,
)


def test_first_subwords_skip_special_tokens_and_find_the_first_piece():
    # [CLS] "Un" "said" "ably" [SEP]: specials have empty offsets.
    offsets = np.array([[0, 0], [0, 2], [3, 7], [7, 11], [0, 0]])
    words = [(0, 2), (3, 11), (12, 15)]  # the last is past the truncation
    assert first_subwords(offsets, words).tolist() == [1, 2, -1]


def test_first_subwords_of_an_empty_encoding():
    assert first_subwords(np.zeros((2, 2), dtype=np.int64), [(0, 3)]).tolist() == [-1]


def test_window_states_map_words_to_their_sentence_tokens():
    text = "Ann said no. Bob agreed."
    layout = Layout(text, [(0, 12, 0), (13, 24, 0)], [], [])
    first = (np.array([[0, 0], [0, 3], [4, 8], [9, 11], [11, 12], [0, 0]]), np.eye(6, 4))
    layout.states = [first, None]  # the second sentence was not encoded
    (window,) = windows(layout)
    got = window_states(layout, window, 4)
    assert got.shape == (len(window.words), 4)
    assert got[:4].tolist() == np.eye(6, 4)[1:5].tolist()  # Ann, said, no, "."
    assert not got[4:].any()


def test_window_states_never_take_a_token_of_the_next_sentence():
    text = "Ann said no. Bob agreed."
    layout = Layout(text, [(0, 12, 0), (13, 24, 0)], [], [])
    # The first sentence was cut after "said"; the second is whole (offsets from its start).
    cut = (np.array([[0, 0], [0, 3], [4, 8], [0, 0]]), np.full((4, 2), 1.0))
    second = (np.array([[0, 0], [0, 3], [4, 10], [10, 11], [0, 0]]), np.arange(10.0).reshape(5, 2))
    layout.states = [cut, second]
    (window,) = windows(layout)
    got = window_states(layout, window, 2)
    assert got[:2].tolist() == [[1.0, 1.0], [1.0, 1.0]]  # Ann, said
    assert not got[2:4].any()  # "no" and "." were cut off: zeros, not Bob's states
    assert got[4:].tolist() == [[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]  # Bob, agreed, "."
