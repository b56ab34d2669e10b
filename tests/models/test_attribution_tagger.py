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
