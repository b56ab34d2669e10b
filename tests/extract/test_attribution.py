import re

from claimscope.extract.attribution import find_attribution


def _ents(text, *names):
    """Entity spans for the given names (test helper: the test writes the text itself)."""
    spans = []
    for name, label in names:
        m = re.search(re.escape(name), text)
        spans.append((m.start(), m.end(), label))
    return spans


def _find(text, *names):
    return find_attribution(text, 0, len(text), _ents(text, *names))


def test_find_attribution_according_to_with_descriptor():
    text = "According to the news outlet Diario Norte, the mine will close in May."
    found = _find(text, ("Diario Norte", "ORG"))
    assert found.kind == "according_to"
    assert found.speaker == "Diario Norte"
    assert text[found.cue_start : found.cue_end] == "According to"
    assert text[found.content_start : found.content_end] == "the mine will close in May"


def test_find_attribution_according_to_at_sentence_end():
    text = "The mine employs 900 people, according to the Labour Ministry."
    found = _find(text, ("the Labour Ministry", "ORG"))
    assert found.speaker == "Labour Ministry"
    assert text[found.content_start : found.content_end] == "The mine employs 900 people"


def test_find_attribution_reporting_verb_subject():
    text = "Human Rights Watch reported widespread abuses in the north."
    found = _find(text, ("Human Rights Watch", "ORG"))
    assert found.kind == "reporting_verb"
    assert found.speaker == "Human Rights Watch"
    assert text[found.cue_start : found.cue_end] == "reported"


def test_find_attribution_appositive_subject_with_adverb():
    text = (
        "Lena Park, the chair of the Committee on Budget and Finance, has firmly denied "
        "that the fund was used for campaigns."
    )
    found = _find(text, ("Lena Park", "PERSON"), ("the Committee on Budget and Finance", "ORG"))
    assert found.speaker == "Lena Park"
    assert text[found.cue_start : found.cue_end] == "has firmly denied"
    assert text[found.content_start : found.content_end] == "the fund was used for campaigns"


def test_find_attribution_quote_then_speaker():
    text = "“We have nothing to hide,” said Omar Haddad."
    found = _find(text, ("Omar Haddad", "PERSON"))
    assert found.speaker == "Omar Haddad"


def test_find_attribution_ignores_passive_and_non_reporting_uses():
    assert _find("It has been confirmed that troops will arrive.") is None
    assert _find("The deal adds another layer of doubt.") is None
    assert _find("From the capital, my report for the evening news.") is None


def test_find_attribution_without_cue_is_none():
    assert _find("The river flooded three villages.") is None


def test_find_attribution_prefers_named_person_in_appositive():
    text = "A spokesperson for the Harbour Board, Ines Duarte, said the quay is safe."
    found = _find(text, ("Harbour Board", "ORG"), ("Ines Duarte", "PERSON"))
    assert found.speaker == "Ines Duarte"
