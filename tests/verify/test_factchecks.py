"""Reading fact-check collections: ClaimReview JSON-LD, feeds, pages, CSV, CheckThat! files."""

from __future__ import annotations

import dataclasses
import json

import pytest

from claimscope.model import FactCheck, Failure
from claimscope.verify.claimreview import claim_review, claim_review_feed
from claimscope.verify.factchecks import WARNING, read_factchecks
from claimscope.verify.ratings import normalize_rating
from tests.verify.fixtures import (
    BAD_REVIEW,
    CSV_TEXT,
    FEED,
    PAGE,
    REVIEWS,
    vclaims_dir,
    write,
)


def _split(items):
    items = list(items)
    checks = [i for i in items if isinstance(i, FactCheck)]
    failures = [i for i in items if isinstance(i, Failure) and i.kind != WARNING]
    warnings = [i for i in items if isinstance(i, Failure) and i.kind == WARNING]
    return checks, failures, warnings


def test_a_claim_review_gives_every_field(tmp_path):
    path = write(tmp_path / "one.json", REVIEWS[0])
    (check,) = list(read_factchecks([path]))
    assert check.claim == "The Valmora harbour deal will create 45,000 jobs."
    assert (check.rating, check.verdict) == ("Mostly False", "mostly-false")
    assert check.publisher == "The Fact Desk" and check.claimant == "Teresa Oyelaran"
    assert (check.reviewed, check.claim_date) == ("2024-03-09", "2024-03-05")
    assert check.url == "https://checks.example/valmora-harbour-jobs"
    assert check.title.startswith("No, the harbour deal")
    assert check.source == str(path) and check.id.startswith("fc-")


def test_a_numeric_rating_is_placed_on_its_own_scale(tmp_path):
    (check,) = list(read_factchecks([write(tmp_path / "r.json", REVIEWS[1])]))
    assert check.rating is None and check.verdict == "true"


def test_feeds_graphs_and_pages_are_all_read(tmp_path):
    feed = write(tmp_path / "feed.json", FEED)
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, *REVIEWS]}
    page = write(tmp_path / "page.html", PAGE.format(graph=json.dumps(graph)))
    lines = write(tmp_path / "reviews.jsonl", "\n".join(json.dumps(r) for r in REVIEWS) + "\n")
    for path in (feed, page, lines):
        checks, failures, _ = _split(read_factchecks([path]))
        assert [c.claim for c in checks] == [r["claimReviewed"] for r in REVIEWS], path
        assert not failures


def test_a_bad_record_names_its_field_and_the_rest_is_read(tmp_path):
    path = write(tmp_path / "mixed.json", [REVIEWS[0], BAD_REVIEW, {"@type": "ClaimReview"}])
    checks, failures, _ = _split(read_factchecks([path]))
    assert [c.claim for c in checks] == [REVIEWS[0]["claimReviewed"]]
    assert [(f.source, f.error) for f in failures] == [
        (f"{path}#2", "reviewRating.ratingValue is not a number: 'very'"),
        (f"{path}#3", "ClaimReview has no claimReviewed"),
    ]


def test_broken_json_and_pages_without_json_ld_fail_alone(tmp_path):
    broken = write(tmp_path / "broken.json", '{"@type": "ClaimReview", ')
    page = write(tmp_path / "plain.html", "<html><body>No data here</body></html>")
    good = write(tmp_path / "good.json", REVIEWS[1])
    checks, failures, _ = _split(read_factchecks([broken, page, good, tmp_path / "missing.json"]))
    assert len(checks) == 1
    errors = {f.source: f.error for f in failures}
    assert errors[str(broken)].startswith("not JSON:")
    assert "no <script type=application/ld+json>" in errors[str(page)]
    assert errors[str(tmp_path / "missing.json")] == "no such file"


def test_csv_rows_and_their_errors(tmp_path):
    path = write(tmp_path / "checks.csv", CSV_TEXT)
    checks, failures, _ = _split(read_factchecks([path]))
    assert [(c.claim[:20], c.verdict, c.publisher) for c in checks] == [
        ("The mayor of Port Or", "false", "Open Dispatch"),
        ("Tap water in Norwick", "mixed", "The Ledger"),
    ]
    assert checks[0].reviewed == "2023-11-02"
    assert [f.source for f in failures] == [f"{path}#4"]
    assert "no claim text" in failures[0].error


def test_a_table_without_a_claim_column_is_one_failure(tmp_path):
    path = write(tmp_path / "other.csv", "name,score\nx,1\n")
    (failure,) = list(read_factchecks([path]))
    assert "no claim column" in failure.error and "name, score" in failure.error


def test_checkthat_folders_and_tsv(tmp_path):
    folder = vclaims_dir(tmp_path / "vclaims")
    checks, failures, warnings = _split(read_factchecks([folder]))
    assert sorted(c.id for c in checks) == ["vclaim-bridge", "vclaim-tax", "vclaim-tortoise"]
    assert not failures
    # An unreadable date drops the field, not the claim: the claim is what matching needs.
    assert [(w.source.endswith("vclaim-tortoise.json"), "date ignored" in w.error)
            for w in warnings] == [(True, True)]  # fmt: skip
    bridge = next(c for c in checks if c.id == "vclaim-bridge")
    assert bridge.reviewed == "2021-03-06" and bridge.title.startswith("Did a Dunmere")
    tsv = write(tmp_path / "verified.tsv", "\tvclaim\ttitle\n0\tA claim.\tA title\n")
    (row,) = list(read_factchecks([tsv]))
    assert (row.id, row.claim, row.title) == ("0", "A claim.", "A title")


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ("Pants on Fire!", "false"),
        ("Mostly False", "mostly-false"),
        ("mostly-true", "mostly-true"),
        ("Half True", "mixed"),
        ("Missing context", "misleading"),
        ("Unproven", "unproven"),
        ("Satire", "satire"),
        ("Falso", "false"),
        ("Correct", "true"),
        ("no idea", None),
    ],
)
def test_ratings_are_normalized(rating, verdict):
    assert normalize_rating(rating) == verdict


def test_claim_review_export_reads_back(tmp_path):
    checks, _, _ = _split(read_factchecks([write(tmp_path / "feed.json", FEED)]))
    path = write(tmp_path / "out.json", claim_review_feed(checks))
    again, failures, _ = _split(read_factchecks([path]))
    assert not failures
    expected = [
        dataclasses.replace(c, source=f"{path}#{i}", rating=c.rating or c.verdict)
        for i, c in enumerate(checks, 1)
    ]
    assert again == expected
    review = claim_review(checks[0])
    assert review["reviewRating"]["ratingValue"] == 2 and review["@id"] == checks[0].id
