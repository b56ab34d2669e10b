"""What finding entities leaves in a long-lived process: no torch imported, and spaCy's
vocabulary as it was (an ingest worker reads millions of new words)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from claimscope.extract.entities import find_entities, load_nlp
from claimscope.settings import Settings

# In a fresh interpreter: no earlier import decides for us.
_PROBE = """
import sys
from claimscope.extract.entities import load_nlp
load_nlp({model!r})
import thinc.compat
loaded = "torch" in sys.modules
import torch
print(loaded, thinc.compat.has_torch, torch.__name__)
"""


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch installed")
def test_load_nlp_leaves_torch_unimported_when_it_is_installed():
    code = _PROBE.format(model=Settings().spacy_model)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.split() == ["False", "False", "torch"]


def test_find_entities_leaves_spacys_vocabulary_as_it_was():
    model = Settings().spacy_model
    nlp = load_nlp(model)
    before = len(nlp.vocab.strings)
    text = "Ardeline Troxwood told reporters in Plimbury that Quenthium Vexorial had left."
    found = find_entities([(text, 0, len(text))], model=model, batch_size=8)
    assert any(text[s:e] == "Ardeline Troxwood" for s, e, _ in found[0])
    assert len(nlp.vocab.strings) == before
