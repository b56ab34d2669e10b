"""The shipped attribution tagger: it loads with onnxruntime, fits the size budget, and finds
the attributions of a made-up article that the rules miss (a cue that is no reporting verb)."""

from claimscope.extract.attribution_eval import Article, predict_attributions
from claimscope.extract.attribution_tagger import TAGGER, AttributionTagger
from claimscope.models.folder import model_path
from claimscope.settings import Settings

TEXT = (
    "Harbour fees\n\n"
    "The harbour master of Port Edda said on Monday that the new cranes will arrive in May. "
    "Local fishermen want the old quay kept open for their boats.\n\n"
    "According to the port's annual report, traffic fell by a tenth last year."
)


def _spans(settings):
    (found,) = predict_attributions([Article("edda", TEXT, "")], settings=settings)
    return {(TEXT[a.speaker_start : a.speaker_end], TEXT[a.cue_start : a.cue_end]) for a in found}


def test_the_shipped_tagger_loads_and_is_small():
    tagger = AttributionTagger().load()
    folder = model_path(TAGGER)
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    assert size < 10_000_000
    assert tagger.decoding_.merge in ("tagger", "tagger_then_rules", "rules_then_tagger", "rules")


def test_the_tagger_finds_what_the_rules_find_and_more():
    rules = _spans(Settings(attribution="rules"))
    model = _spans(Settings())
    master = "The harbour master of Port Edda"
    assert (master, "said") in rules
    assert any(source == master and cue.startswith("said") for source, cue in model)
    assert any(cue.startswith("According to") for _, cue in model)
    # "want": a stance, which PolNeAR counts and the reporting-verb rules do not know.
    assert ("Local fishermen", "want") in model - rules


def test_the_context_graph_reads_the_claim_encoders_states():
    from claimscope.pipeline import analyze

    tagger = AttributionTagger().load()
    assert tagger.reads_states()
    analysis = analyze(TEXT)
    # The scores stage ran first and left the states; the batch's end emptied them.
    assert analysis.pipeline.index("claimscope.scores.v1") < analysis.pipeline.index(
        "claimscope.attribution.v1"
    )
    assert analysis.token_states == {}
    assert "token_states" not in analysis.to_dict()
    master = "The harbour master of Port Edda"
    assert any(TEXT[a.speaker_start : a.speaker_end] == master for a in analysis.attributions)


def test_the_context_graph_and_the_static_graph_differ_and_both_decode():
    from claimscope.extract.attribution_features import Layout
    from claimscope.models.scorer import load_scorer

    tagger = AttributionTagger().load()
    sentences = [(0, 12, 0), (14, 100, 1), (101, 162, 1)]
    layout = Layout(TEXT, sentences, [], [])
    static = tagger.probabilities(layout)
    scorer = load_scorer("claims-minilm")
    _, _, states = scorer.score_with_states(
        [TEXT[s:e] for s, e, _ in sentences], tokens=False, techniques=False, states=True
    )
    layout.states = states
    context = tagger.probabilities(layout)
    assert [w.words for w, _ in static] == [w.words for w, _ in context]
    (_, p_static), (_, p_context) = static[0], context[0]
    assert p_static.shape == p_context.shape
    assert abs(p_context.sum(axis=2) - 1).max() < 1e-4
    assert abs(p_static - p_context).max() > 1e-3


def test_windows_batched_across_documents_read_as_each_alone():
    from claimscope.extract.attribution_features import Layout
    from claimscope.models.scorer import load_scorer

    tagger = AttributionTagger().load()
    scorer = load_scorer("claims-minilm")
    other = "Mayor Lena Ostrova said the ferry would run all winter. Critics doubt it."
    layouts = []
    for text, sentences in (
        (TEXT, [(14, 100, 1), (101, 162, 1)]),
        (other, [(0, 55, 0), (56, 74, 0)]),
    ):
        _, _, states = scorer.score_with_states(
            [text[s:e] for s, e, _ in sentences], tokens=False, techniques=False, states=True
        )
        layouts.append(Layout(text, sentences, [], [], states))
    together = tagger.probabilities_many(layouts)
    for layout, found in zip(layouts, together, strict=True):
        alone = tagger.probabilities(layout)
        assert [w.words for w, _ in alone] == [w.words for w, _ in found]
        for (_, a), (_, b) in zip(alone, found, strict=True):
            assert abs(a - b).max() < 1e-5
    assert tagger.tag_many(layouts) == [tagger.tag(x) for x in layouts]
