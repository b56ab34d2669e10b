import re

import pytest

from claimscope import Settings, analyze
from claimscope.extract.attribution import find_attribution, find_attributions


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
    # The content is the that-clause as written, "that" included (PolNeAR's convention).
    assert text[found.content_start : found.content_end] == "that the fund was used for campaigns"


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


def _spans(text, found):
    return (
        text[found.speaker_start : found.speaker_end],
        text[found.cue_start : found.cue_end],
        None if found.content_start is None else text[found.content_start : found.content_end],
    )


@pytest.mark.parametrize(
    ("text", "names", "speaker", "source"),
    [
        (
            "Officials in Lima said the border crossing would reopen on Monday.",
            [("Lima", "GPE")],
            "Officials in Lima",
            "Officials in Lima",
        ),
        (
            "The bridge will be rebuilt by June, according to a statement by Mexico's president.",
            [("Mexico", "GPE")],
            "Mexico's president",
            "a statement by Mexico's president",
        ),
        (
            "Defence officials said the convoy had turned back at the river.",
            [],
            "Defence officials",
            "Defence officials",
        ),
        (
            "The Peruvian defence ministry said 700 troops had arrived in the port.",
            [("Peruvian", "NORP")],
            "the Peruvian defence ministry",
            "The Peruvian defence ministry",
        ),
        (
            "Biden installed a new harbour commissioner last week and critics say the choice "
            "was political.",
            [("Biden", "PERSON")],
            "critics",
            "critics",
        ),
    ],
)
def test_find_attribution_speaker_is_the_whole_noun_phrase(text, names, speaker, source):
    found = _find(text, *names)
    assert found.speaker == speaker
    assert text[found.speaker_start : found.speaker_end] == source


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("The ferry operator says the timetable will change.", "says"),
        ("The ferry operator told reporters that the timetable will change.", "told"),
        ("The Harbour Gazette has learned that the timetable will change.", "has learned"),
        ("The ferry operator reported that the timetable will change.", "reported"),
        ("The ferry operator announced that the timetable will change.", "announced"),
        ("The ferry operator claimed that the timetable will change.", "claimed"),
        ("The ferry operator stated that the timetable will change.", "stated"),
        ("The ferry operator added that the timetable will change.", "added"),
        ("The ferry operator noted that the timetable will change.", "noted"),
        ("The ferry operator wrote that the timetable will change.", "wrote"),
        ("The ferry operator warned that the timetable will change.", "warned"),
    ],
)
def test_find_attribution_reporting_cues(text, cue):
    speaker, found_cue, content = _spans(text, _find(text))
    assert found_cue == cue
    assert speaker in ("The ferry operator", "The Harbour Gazette")
    assert content.endswith("the timetable will change")


def test_find_attribution_told_skips_the_addressee():
    text = "The ferry operator told the Harbour Gazette the timetable will change."
    found = _find(text, ("the Harbour Gazette", "ORG"))
    assert _spans(text, found) == ("The ferry operator", "told", "the timetable will change")


def test_find_attribution_quotation_before_the_speaker():
    text = "“We are not leaving the quay,” the harbour master said on Tuesday."
    assert _spans(text, _find(text)) == (
        "the harbour master",
        "said",
        "“We are not leaving the quay,”",
    )


def test_find_attribution_quotation_then_said_then_name_with_appositive():
    text = "“The cranes are safe,” said Ines Duarte, the head of the dock authority."
    found = _find(text, ("Ines Duarte", "PERSON"))
    assert found.speaker == "Ines Duarte"
    assert _spans(text, found) == (
        "Ines Duarte, the head of the dock authority",
        "said",
        "“The cranes are safe,”",
    )


def test_find_attribution_clause_then_speaker():
    text = "The cranes will arrive in May, the port authority said."
    assert _spans(text, _find(text)) == (
        "the port authority",
        "said",
        "The cranes will arrive in May",
    )


def test_find_attribution_appositive_with_commas_in_it():
    text = (
        "Mara Vell, the secretary of the Commission for Ports, Fisheries and Customs, has "
        "clarified that no new tariffs are planned."
    )
    found = _find(
        text,
        ("Mara Vell", "PERSON"),
        ("the Commission for Ports, Fisheries and Customs", "ORG"),
    )
    assert found.speaker == "Mara Vell"
    assert text[found.speaker_start : found.speaker_end] == (
        "Mara Vell, the secretary of the Commission for Ports, Fisheries and Customs"
    )


def test_find_attribution_pronoun_and_relative_pronoun():
    text = "Tomas Berg, who runs the ferry line, said he would keep the prices."
    found = _find(text, ("Tomas Berg", "PERSON"))
    assert found.speaker == "Tomas Berg"
    assert text[found.speaker_start : found.speaker_end] == ("Tomas Berg, who runs the ferry line")
    (who,) = find_attributions(
        "The line is run by Tomas Berg, who says prices will stay.",
        0,
        57,
        _ents(
            "The line is run by Tomas Berg, who says prices will stay.", ("Tomas Berg", "PERSON")
        ),
    )
    assert (who.speaker, who.resolved) == ("who", "Tomas Berg")


def test_find_attributions_finds_every_cue_of_a_sentence():
    text = "The mayor said the quay is safe, but the union says the cranes are old."
    found = find_attributions(text, 0, len(text), [])
    assert [(f.speaker, text[f.cue_start : f.cue_end]) for f in found] == [
        ("the mayor", "said"),
        ("the union", "says"),
    ]


def test_find_attribution_saying_after_a_comma_keeps_the_subject():
    text = "Lena Park rejected the audit on Monday, saying the accounts were in order."
    found = find_attributions(text, 0, len(text), _ents(text, ("Lena Park", "PERSON")))
    assert [(f.speaker, text[f.cue_start : f.cue_end]) for f in found] == [("Lena Park", "saying")]


def test_attribution_stage_resolves_pronouns_to_the_nearest_named_speaker():
    text = (
        "Henrik Dahl, a spokesperson for the Norvik Maritime Group, said the quay is safe. "
        "He said the new cranes will arrive in May.\n\n"
        "The Port Workers Federation disputes the figures. It said 1,200 jobs are at risk."
    )
    a = analyze(text, settings=Settings(profile="rules"))
    by_speaker = {(x.speaker, x.resolved) for x in a.attributions}
    assert ("Henrik Dahl", None) in by_speaker
    assert ("he", "Henrik Dahl") in by_speaker
    he = next(x for x in a.attributions if x.speaker == "he")
    assert a.text[he.speaker_start : he.speaker_end] == "He"
    assert a.sentences[he.sentence].speaker == "Henrik Dahl"  # what a claim shows
    assert a.to_dict()["attributions"][he.id]["resolved"] == "Henrik Dahl"


def test_attribution_stage_post_sentences_keep_their_author():
    text = (
        "The harbour opened a new quay on Monday.\n"
        "The union says 300 dockers lost their shifts. Nobody told us anything\n"
        "— Rosa Ibarra (@rosa_ibarra) March 5, 2024\n"
        "The port authority said the shifts will return in April."
    )
    a = analyze(text, settings=Settings(profile="rules"))
    post_sentences = [s for s in a.sentences if a.segments[s.segment].post is not None]
    assert post_sentences
    assert {s.speaker for s in post_sentences} == {"@rosa_ibarra"}
    assert any(x.speaker == "the port authority" for x in a.attributions)


def test_a_sentence_read_by_the_rules_is_reused_for_the_taggers_spans():
    from claimscope.extract.attribution import found_from_spans

    text = "Officials in Lima said on Monday that the port would reopen. Trade was slow."
    ents = _ents(text, ("Lima", "GPE"))
    end = text.index(".") + 1
    cache: dict = {}
    rules = find_attributions(text, 0, end, ents, cache)
    assert len(cache) == 1  # the sentence's tokens, kept for the tagger's spans
    kept = next(iter(cache.values()))
    source, cue = (0, 17), (18, 22)
    content = (text.index("the port"), end - 1)
    fresh = found_from_spans(text, (0, end), ents, source, cue, content)
    reused = found_from_spans(text, (0, end), ents, source, cue, content, cache)
    assert reused == fresh
    assert next(iter(cache.values())) is kept and len(cache) == 1
    assert rules and rules[0].speaker == fresh.speaker == "Officials in Lima"


@pytest.mark.parametrize(
    ("source", "names", "speaker"),
    [
        # Two names joined: both, not the last alone.
        (
            "Former Chilean presidents Ana Roble and Tomas Vidal",
            [("Chilean", "NORP"), ("Ana Roble", "PERSON"), ("Tomas Vidal", "PERSON")],
            "Ana Roble and Tomas Vidal",
        ),
        # A list after a comma is kept whole, not cut to its first name.
        (
            "Rosa Ibarra, Tomas Vidal and other farmers",
            [("Rosa Ibarra", "PERSON"), ("Tomas Vidal", "PERSON")],
            "Rosa Ibarra, Tomas Vidal and other farmers",
        ),
        (
            "Rosa Ibarra (D-Vt.), Tomas Vidal (D-Ohio) and Ana Roble",
            [("Rosa Ibarra", "PERSON"), ("Tomas Vidal", "PERSON"), ("Ana Roble", "PERSON")],
            "Rosa Ibarra (D-Vt.), Tomas Vidal (D-Ohio) and Ana Roble",
        ),
        # An appositive that starts with another name's possessive is not a list.
        (
            "Tomas Vidal, Rosa Ibarra's former adviser",
            [("Tomas Vidal", "PERSON"), ("Rosa Ibarra", "PERSON")],
            "Tomas Vidal",
        ),
        # "of" inside a title, and a party tag after the name.
        (
            "Valmora Secretary of State Rosa Ibarra",
            [("Valmora", "GPE"), ("Rosa Ibarra", "PERSON")],
            "Rosa Ibarra",
        ),
        ("Sen. Rosa Ibarra (D-Vt.)", [("Rosa Ibarra", "PERSON")], "Rosa Ibarra"),
        # A dateline before the source: the name at its end, not the city.
        (
            "SANTA LUCIA, Valmora, port director Rosa Ibarra",
            [("SANTA LUCIA", "GPE"), ("Valmora", "GPE"), ("Rosa Ibarra", "PERSON")],
            "Rosa Ibarra",
        ),
        # "of" before a lowercase word is a preposition: the phrase stays.
        (
            "Officials of the Port Authority",
            [("Port Authority", "ORG")],
            "Officials of the Port Authority",
        ),
    ],
)
def test_the_taggers_source_reads_as_a_whole_speaker(source, names, speaker):
    from claimscope.extract.attribution import found_from_spans

    text = f"{source} said the dam leaked."
    cue = (len(source) + 1, len(source) + 5)
    content = (cue[1] + 1, len(text) - 1)
    found = found_from_spans(
        text, (0, len(text)), _ents(text, *names), (0, len(source)), cue, content
    )
    assert found is not None and found.speaker == speaker
