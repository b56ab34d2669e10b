import pytest

from claimscope.evaluation.persuasion import span_counts


def _prf(counts):
    p = counts[0] / counts[1]
    r = counts[2] / counts[3]
    return p, r


def test_span_counts_give_partial_credit_for_overlap():
    gold = [("doubt", 0, 10)]
    # Half of the prediction overlaps, and it covers half of the gold span.
    p, r = _prf(span_counts(gold, [("doubt", 5, 15)], labelled=True))
    assert (p, r) == (0.5, 0.5)
    # A wrong technique earns nothing, unless labels are ignored.
    assert span_counts(gold, [("fear", 0, 10)], labelled=True)[0] == 0
    assert _prf(span_counts(gold, [("fear", 0, 10)], labelled=False)) == (1.0, 1.0)


def test_span_counts_merge_overlapping_spans_of_one_technique():
    gold = [("doubt", 0, 10)]
    pred = [("doubt", 0, 6), ("doubt", 4, 10)]  # one span once merged: no double credit
    assert span_counts(gold, pred, labelled=True) == pytest.approx([1.0, 1, 1.0, 1])
