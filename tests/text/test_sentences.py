from hypothesis import given
from hypothesis import strategies as st

from claimscope.text.sentences import split_sentences


def _split(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_split_sentences_on_terminal_punctuation():
    assert _split("It rained. Was it cold? Yes! Fine… Next one.") == [
        "It rained.",
        "Was it cold?",
        "Yes!",
        "Fine…",
        "Next one.",
    ]


def test_split_sentences_keeps_abbreviations_and_initials():
    text = "Dr. Sam Lee met Mr. Ortiz in the U.S. capital. J. K. Moreno was there."
    assert _split(text) == [
        "Dr. Sam Lee met Mr. Ortiz in the U.S. capital.",
        "J. K. Moreno was there.",
    ]


def test_split_sentences_keeps_glued_link_in_sentence():
    text = "Why not our own border?https://t.co/Xy12 Next sentence here."
    assert _split(text) == ["Why not our own border?https://t.co/Xy12", "Next sentence here."]


def test_split_sentences_splits_after_closing_quote():
    text = "She said “it is over.” Then she left."
    assert _split(text) == ["She said “it is over.”", "Then she left."]


def test_split_sentences_breaks_at_newlines():
    assert _split("A line without a stop\nAnother line.") == [
        "A line without a stop",
        "Another line.",
    ]


def test_split_sentences_keeps_decimals():
    assert _split("Growth was 2.5 percent. Prices rose.") == [
        "Growth was 2.5 percent.",
        "Prices rose.",
    ]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_split_sentences_spans_are_trimmed_and_inside(text):
    last = 0
    for s, e in split_sentences(text):
        assert last <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        last = e
