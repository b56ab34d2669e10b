from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscope import Document, Settings, analyze, analyze_many
from claimscope.errors import EmptyDocumentError, InputError, PipelineError
from claimscope.pipeline import build_pipeline, run_stages
from claimscope.registry import STAGES
from tests.spans_check import assert_offsets_exact

FRAGMENTS = [
    "The council approved 48 new buses on March 3, 2024.",
    "According to the Transit Authority, ridership rose by about 12% in 2023.",
    "Mayor Lucia Ferreira said that the fares will not rise before June 30.",
    "Is this really the best plan?",
    "Between January 5 and February 20, 2024, three lines were closed.",
    "They want us to pay more pic.twitter.com/Ab3De4Fg5h",
    "Fares are a scandal\n— Rider Voice (@ridervoice) April 2, 2024",
    "“We have no money left,” said Tom Okafor.",
    "Nearly 1,500 drivers joined the strike, up from 900 last year.",
    "",
]


def test_analyze_text_fills_every_layer():
    analysis = analyze("\n".join(FRAGMENTS[:3] + FRAGMENTS[6:7]))
    assert analysis.segments and analysis.sentences and analysis.entities
    assert analysis.quantities and analysis.dates and analysis.claims
    assert analysis.pipeline == list(build_pipeline_names())
    assert analysis.claims[0].rank == 1
    assert_offsets_exact(analysis)


def build_pipeline_names():
    return [s.name for s in build_pipeline()]


def test_analyze_attributes_post_sentences_to_their_author():
    analysis = analyze("The buses were late again today.\n" + FRAGMENTS[6])
    post_sentences = [s for s in analysis.sentences if s.features["is_from_post"]]
    assert post_sentences and all(s.speaker == "@ridervoice" for s in post_sentences)


def test_analyze_path_and_document_agree(tmp_path):
    text = "\n".join(FRAGMENTS[:3])
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    from_path = analyze(path)
    from_doc = analyze(Document(text=text))
    assert from_path.to_dict()["claims"] == from_doc.to_dict()["claims"]
    assert from_path.document.source == str(path)


def test_analyze_rejects_empty_text():
    with pytest.raises(EmptyDocumentError):
        analyze("   \n ")


def test_analyze_rejects_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        analyze(str(tmp_path / "missing.txt"))


def test_analyze_many_goes_past_bad_inputs(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(FRAGMENTS[0], encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    batch = analyze_many([good, tmp_path / "missing.txt", empty, Document(text=FRAGMENTS[1])])
    assert [a.document.source for a in batch.analyses] == [str(good), "<text>"]
    assert len(batch.failures) == 2


def test_build_pipeline_rejects_stage_before_its_inputs():
    with pytest.raises(PipelineError, match="needs"):
        build_pipeline(["claimscope.claims.v1", "claimscope.structure.v1"])


def test_run_stages_isolates_a_document_that_breaks_a_stage(monkeypatch):
    stage = STAGES["claimscope.quantities.v1"]
    original = stage.func

    def flaky(batch, settings):
        if any("BOOM" in a.text for a in batch):
            raise RuntimeError("boom")
        original(batch, settings)

    monkeypatch.setitem(
        STAGES,
        stage.name,
        stage.__class__(stage.name, flaky, stage.requires, stage.assigns, stage.doc),
    )
    docs = [Document(text="Fine text with 3 buses."), Document(text="BOOM 4 buses.")]
    result = run_stages(docs, build_pipeline(), Settings())
    assert [a.text for a in result.analyses] == ["Fine text with 3 buses."]
    assert result.failures[0].kind == "StageError"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8),
    st.sampled_from(["\n", "\n\n", " "]),
)
def test_analyze_offsets_are_exact_for_every_span(fragments, sep):
    text = sep.join(fragments)
    if not text.strip():
        return
    assert_offsets_exact(analyze(text))


def test_example_article_offsets_are_exact(example_analysis):
    assert assert_offsets_exact(example_analysis) > 100


def test_example_article_is_project_written(example_path):
    assert Path(example_path).read_text(encoding="utf-8").startswith("Why is nobody asking")


def test_analyze_reads_long_or_spaced_strings_as_text():
    long_text = "The council approved 48 new buses on March 3, 2024. " * 40
    assert analyze(long_text).sentences
    assert analyze("Read the notes in report.txt before May 2, 2024.").sentences


def test_analyze_reads_years_and_units_glued_to_links():
    a = analyze(
        "Prices have doubled since 2021https://t.co/Ab12 and cost 77 million euroshttps://t.co/Cd34"
    )
    assert [d.value for d in a.dates] == ["2021"]
    assert [(q.value, q.unit) for q in a.quantities] == [(77_000_000, "EUR")]


def test_page_furniture_is_never_a_claim():
    text = (
        "The council approved the budget on Monday with 12 votes.\n\n"
        "Read more: Council approves 4 million euro harbour budget\n\n"
        "Advertisement\n\n"
        "The mayor said 300 jobs would be created by 2026."
    )
    a = analyze(text)
    kinds = [s.kind for s in a.segments]
    assert kinds == ["paragraph", "furniture", "furniture", "paragraph"]
    claimed = [a.span_text(c.start, c.end) for c in a.claims]
    assert claimed and not any(c.startswith("Read more") for c in claimed)
