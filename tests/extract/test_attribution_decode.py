"""The tagger's decoding: spans from word probabilities, cues linked, merge with the rules."""

import numpy as np

from claimscope.extract.attribution_decode import (
    Decoding,
    Tagged,
    link,
    merge,
    names_someone,
    spans,
)
from claimscope.extract.attribution_features import (
    MAX_WORDS,
    N_FEATURES,
    Layout,
    labels,
    windows,
    word_features,
)

OUT, BEG, INS = (0.9, 0.05, 0.05), (0.05, 0.9, 0.05), (0.05, 0.05, 0.9)


def _probs(*rows):
    return np.array(rows, dtype=np.float32)


def test_spans_start_at_b_or_after_o_and_cut_at_a_second_b():
    found = spans(_probs(OUT, BEG, INS, INS, OUT, INS, INS, BEG, INS), outside=0.5)
    assert [(s.first, s.last) for s in found] == [(1, 3), (5, 6), (7, 8)]
    assert all(0.9 <= s.score <= 0.96 for s in found)


def test_spans_cut_off_decides_what_is_inside():
    unsure = (0.45, 0.5, 0.05)
    assert len(spans(_probs(OUT, unsure, OUT), outside=0.5)) == 1
    assert spans(_probs(OUT, unsure, OUT), outside=0.4) == []


TEXT = "The mayor of Northfield said the bridge reopens in May. Residents were glad."


def _layout(rules=()):
    end = TEXT.index(".") + 1
    sentences = [(0, end, 0), (end + 1, len(TEXT), 0)]
    ents = [(TEXT.index("Northfield"), TEXT.index("Northfield") + 10, "GPE")]
    return Layout(TEXT, sentences, ents, list(rules))


def _mayor_window():
    """The first sentence's window, its words, and probabilities that tag "The mayor of
    Northfield" as the source and nothing else."""
    (window,) = windows(_layout())
    words = [TEXT[s:e] for s, e in window.words]
    probs = np.tile(np.array([OUT, OUT, OUT], dtype=np.float32), (len(words), 1, 1))
    for i in range(4):  # The mayor of Northfield
        probs[i, 0] = BEG if i == 0 else INS
    return window, words, probs


def test_link_ties_a_cue_to_its_nearest_source_and_content():
    window, words, probs = _mayor_window()
    probs[words.index("said"), 1] = BEG
    for i in range(words.index("said") + 1, words.index(".")):
        probs[i, 2] = BEG if i == words.index("said") + 1 else INS
    (found,) = link(window, probs, Decoding(), TEXT)
    assert TEXT[slice(*found.source)] == "The mayor of Northfield"
    assert TEXT[slice(*found.cue)] == "said"
    assert found.content is not None and TEXT[slice(*found.content)] == "the bridge reopens in May"


def test_a_one_word_content_piece_gives_way_to_the_clause_after_it():
    # "said the | bridge reopens in May": the tagger began a second span after "the"; the
    # lone word is next to the cue, the clause two words on is the content.
    window, words, probs = _mayor_window()
    said = words.index("said")
    probs[said, 1] = BEG
    probs[said + 1, 2] = BEG  # "the", alone
    for i in range(said + 2, words.index(".")):
        probs[i, 2] = BEG if i == said + 2 else INS
    (found,) = link(window, probs, Decoding(), TEXT)
    assert found.content is not None and TEXT[slice(*found.content)] == "bridge reopens in May"


def test_a_cue_without_a_source_gives_no_attribution():
    layout = _layout()
    (window,) = windows(layout)
    probs = np.tile(np.array([OUT, OUT, OUT], dtype=np.float32), (len(window.words), 1, 1))
    probs[4, 1] = BEG
    assert link(window, probs, Decoding(), TEXT) == []


def test_a_faint_cue_gives_no_attribution_under_the_least_score():
    # "said" just inside (0.42 likely outside): kept by default, dropped when an attribution
    # needs a score of 0.6.
    window, words, probs = _mayor_window()
    probs[words.index("said"), 1] = (0.42, 0.5, 0.08)
    assert len(link(window, probs, Decoding(), TEXT)) == 1
    assert link(window, probs, Decoding(min_score=0.6), TEXT) == []


def test_a_source_that_names_nobody_gives_no_attribution():
    # "The" alone tagged as the source of "said": no speaker a reader could use.
    layout = _layout()
    (window,) = windows(layout)
    words = [TEXT[s:e] for s, e in window.words]
    probs = np.tile(np.array([OUT, OUT, OUT], dtype=np.float32), (len(words), 1, 1))
    probs[0, 0] = BEG
    probs[words.index("said"), 1] = BEG
    assert link(window, probs, Decoding(), TEXT) == []


def test_names_someone_keeps_pronouns_possessives_and_quantifiers():
    for source in ("a", "The", "There", "It’s", "May 18", "on Monday", "2023"):
        assert not names_someone(source), source
    for source in ("he", "it", "his", "some", "both", "the two", "officials in Lima", "@PKikos"):
        assert names_someone(source), source


def test_merge_keeps_the_rules_where_the_tagger_found_nothing():
    rules = [((0, 5), (6, 10)), ((40, 45), (46, 50))]
    tagged = [Tagged(source=(0, 8), cue=(9, 13), content=None, score=0.9)]
    assert merge(rules, tagged, "tagger_then_rules") == ([1], [0])
    assert merge(rules, tagged, "rules_then_tagger") == ([0, 1], [])
    assert merge(rules, tagged, "rules") == ([0, 1], [])
    assert merge(rules, tagged, "tagger") == ([], [0])


def test_features_and_labels_have_one_row_per_word():
    rule = (0, 23, 24, 28, 29, 54)
    layout = _layout([rule])
    (window,) = windows(layout)
    x = word_features(layout, window)
    assert x.shape == (len(window.words), N_FEATURES)
    y = labels(window, [[(0, 23)], [(24, 28)], []])
    assert y[:5, 0].tolist() == [1, 2, 2, 2, 0] and y[4, 1] == 1 and not y[:, 2].any()


def test_windows_hold_whole_sentences_up_to_the_limit():
    sentence = "word " * 100 + "."
    text = " ".join([sentence] * 3)
    starts = [i * (len(sentence) + 1) for i in range(3)]
    layout = Layout(text, [(s, s + len(sentence), 0) for s in starts], [], [])
    found = windows(layout)
    assert len(found) == 3 and all(len(w.words) <= MAX_WORDS for w in found)


def test_a_tagged_source_reads_as_the_rules_read_theirs():
    from claimscope.extract.attribution import found_from_spans

    text = "According to news outlet Faro Sur, the port reopens in May."
    name = (text.index("Faro"), text.index("Faro") + 8)
    source = (text.index("news"), name[1])
    cue = (0, len("According to"))
    content = (text.index("the port"), len(text) - 1)
    f = found_from_spans(text, (0, len(text)), [(*name, "ORG")], source, cue, content)
    assert f is not None and f.kind == "according_to" and f.speaker == "Faro Sur"
    assert (f.speaker_start, f.speaker_end) == source


def test_without_the_tagger_folder_the_rules_work_alone():
    from claimscope.extract.attribution_tagger import shared_tagger

    assert shared_tagger("no-such-tagger-folder") is None


def test_a_tagged_source_stops_at_a_dash():
    text = "It sank, said Ana Ruiz, the mayor — boats waited."
    layout = Layout(text, [(0, len(text), 0)], [], [])
    (window,) = windows(layout)
    words = [text[s:e] for s, e in window.words]
    probs = np.tile(np.array([OUT, OUT, OUT], dtype=np.float32), (len(words), 1, 1))
    probs[words.index("said"), 1] = BEG
    first = words.index("Ana")
    for i in range(first, words.index("waited") + 1):
        probs[i, 0] = BEG if i == first else INS
    (found,) = link(window, probs, Decoding(), text)
    assert text[slice(*found.source)].rstrip(" ,") == "Ana Ruiz, the mayor"
