"""A piece longer than spaCy's ``max_length`` is cut on whitespace, its offsets kept right."""

from __future__ import annotations

import pytest

from claimscope.extract.entities import _parts, find_entities, load_nlp
from claimscope.settings import Settings

SENTENCE = "Angela Merkel visited Paris on Monday. "


def test_parts_cut_after_whitespace_within_the_limit():
    text = "aaaa bbbb cccc dddd"
    assert _parts(text, 0, len(text), 100) == [(0, len(text))]
    assert _parts(text, 0, len(text), 10) == [(0, 10), (10, len(text))]
    assert _parts(text, 5, len(text), 6) == [(5, 10), (10, 15), (15, 19)]
    # A word longer than the limit is cut at the limit.
    assert _parts("x" * 25, 0, 25, 10) == [(0, 10), (10, 20), (20, 25)]
    for start, end in _parts(SENTENCE * 40, 3, 900, 77):
        assert 0 < end - start <= 77


def test_find_entities_over_max_length_is_cut_with_offsets_kept(monkeypatch):
    """spaCy raised its E088 for a text over nlp.max_length (1,000,000 characters): the text
    reached the user as spaCy's message. Here the limit is lowered to keep the test fast."""
    model = Settings().spacy_model
    nlp = load_nlp(model)
    prefix = "Intro. "
    text = prefix + SENTENCE * 12
    monkeypatch.setattr(nlp, "max_length", 2 * len(SENTENCE))
    (found,) = find_entities([(text, len(prefix), len(text))], model=model, batch_size=4)
    names = [(text[s:e], label) for s, e, label in found]
    assert names.count(("Angela Merkel", "PERSON")) >= 10
    assert names.count(("Paris", "GPE")) >= 10
    assert all(name in SENTENCE for name, _ in names)
    assert [s for s, _e, _l in found] == sorted(s for s, _e, _l in found)


def test_find_entities_under_max_length_is_one_piece(monkeypatch):
    model = Settings().spacy_model
    nlp = load_nlp(model)
    text = SENTENCE * 2
    calls: list[int] = []
    pipe = nlp.pipe

    def counting(pieces, **kwargs):
        pieces = list(pieces)
        calls.append(len(pieces))
        return pipe(pieces, **kwargs)

    monkeypatch.setattr(nlp, "pipe", counting)
    find_entities([(text, 0, len(text)), (text, 5, len(text))], model=model, batch_size=4)
    assert calls == [2]


@pytest.mark.parametrize("limit", [len(SENTENCE), len(SENTENCE) // 2])
def test_find_entities_never_passes_spacy_a_piece_over_max_length(monkeypatch, limit):
    model = Settings().spacy_model
    nlp = load_nlp(model)
    monkeypatch.setattr(nlp, "max_length", limit)
    text = SENTENCE * 5
    find_entities([(text, 0, len(text))], model=model, batch_size=4)  # E088 raised before
