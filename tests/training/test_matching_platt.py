"""Platt scaling of match logits: it converges where the logits sit far from 0."""

import numpy as np
import pytest

pytest.importorskip("torch")

from claimscope.training.matching import fit_platt


def test_platt_fits_scaled_cosines_far_from_zero():
    # A bi-encoder's logits: 20 x cosine, 10 to 18; 5% positives. A plain Newton step from
    # (1, 0) overshot here and diverged to a step function (a = 270,000).
    rng = np.random.default_rng(0)
    logits = np.concatenate([20 * rng.normal(0.55, 0.12, 3790), 20 * rng.normal(0.85, 0.06, 190)])
    labels = np.concatenate([np.zeros(3790), np.ones(190)])
    a, b = fit_platt(logits, labels)
    assert 0.5 < a < 5
    probs = 1 / (1 + np.exp(-(a * logits + b)))
    assert probs.mean() == pytest.approx(labels.mean(), abs=0.01)  # calibrated on average
    assert probs[labels == 1].mean() > 0.5 > probs[labels == 0].mean()


def test_platt_stays_finite_on_separable_pairs():
    a, b = fit_platt(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
    assert np.isfinite(a) and np.isfinite(b) and a > 0
