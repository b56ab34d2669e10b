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


def test_roc_auc_counts_pairs_ranked_right_and_ties_as_half():
    from claimscope.metrics import roc_auc_score

    assert roc_auc_score([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == 1.0
    assert roc_auc_score([1, 0], [0.1, 0.9]) == 0.0
    # 2 positives x 2 negatives: (0.9 > both) + (0.5 > 0.2, ties 0.5) = 1 + 0.5 + 0.5 of 4 pairs
    assert roc_auc_score([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.2]) == 0.875
