import pytest

from claimscope.metrics import accuracy_score, best_threshold, binary_scores, macro_f1_score


def test_binary_scores_counts_and_f1():
    report = binary_scores([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    assert (report["tp"], report["fp"], report["fn"]) == (2, 1, 1)
    assert report["precision"] == pytest.approx(2 / 3)
    assert report["f1"] == pytest.approx(2 / 3)


def test_macro_f1_score_averages_both_classes():
    assert macro_f1_score([1, 0, 1, 0], [1, 0, 0, 0]) == pytest.approx((2 / 3 + 0.8) / 2)


def test_accuracy_score_of_empty_is_zero():
    assert accuracy_score([], []) == 0.0


def test_best_threshold_separates_scores():
    threshold, value = best_threshold([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9])
    assert 0.3 < threshold <= 0.6 and value == 1.0
