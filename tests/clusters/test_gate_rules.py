"""The same-claim gate's rules: actors, editorial notices, leading quantities, names with numbers.

Every sentence here is made up for these tests.
"""

from __future__ import annotations

import pytest

from claimscope.clusters.claim_text import in_name, lead_quantities, quantities
from claimscope.clusters.gate_rules import (
    actor_names,
    gate_facts,
    is_notice,
    is_source,
    refusal,
    same_actor,
)
from claimscope.clusters.same_claim import SameClaimThresholds, same_claim_pair

THRESHOLDS = SameClaimThresholds(same_claim=0.8, same_claim_quantity=0.3)
NO_REPLY = "{} did not immediately respond to requests for comment."


def test_actor_names_drop_articles_possessives_and_filler() -> None:
    assert actor_names(["the Halvik Ferry Company’s", "Commission on Port Safety"]) == {
        ("halvik", "ferry", "company"),
        ("commission", "port", "safety"),
    }
    assert actor_names(["Elena Varga's", "the"]) == {("elena", "varga")}
    assert actor_names([]) == frozenset()


def test_one_actor_is_a_name_the_same_as_another_part_of_it_or_begun_alike() -> None:
    def same(a: list[str], b: list[str]) -> bool:
        return same_actor(actor_names(a), actor_names(b))

    assert same(["Varga"], ["Mayor Elena Varga’s"])
    assert same(["Halvik Ferry Company", "Varga"], ["Elena Varga"])
    assert same(["the Varga administration"], ["Varga Said"])  # a name cut short or too long
    assert not same(["Elena Varga"], ["Marta Varga"])  # two people of one family
    assert not same(["the Halvik Ferry Company"], ["the Ostmark Ferry Company"])


def test_claims_naming_different_actors_are_not_one_whatever_the_cosine() -> None:
    harbour = gate_facts(NO_REPLY.format("The Harbour Authority"), ["The Harbour Authority"])
    union = gate_facts(NO_REPLY.format("The Port Workers Union"), ["The Port Workers Union"])
    assert refusal(harbour, union) == "actors"
    assert not same_claim_pair(harbour, union, 0.99, THRESHOLDS)
    # One name shared is enough ("Varga" and "Mayor Elena Varga's office"), and a claim that
    # names no actor is left to the cosine.
    varga = gate_facts("Varga's office did not respond.", ["Varga"])
    mayor = gate_facts("Mayor Elena Varga's office did not reply.", ["Elena Varga's"])
    nobody = gate_facts("The office did not respond.", [])
    assert refusal(varga, mayor) is None and same_claim_pair(varga, mayor, 0.9, THRESHOLDS)
    assert refusal(varga, nobody) is None


def test_a_source_is_not_an_actor() -> None:
    # The same claim told by two sources is still one claim.
    text_a = "The Harbour Authority said 120 containers were lost in the storm."
    text_b = "120 containers were lost in the storm, according to the Port Workers Union."
    assert is_source(text_a, "The Harbour Authority")
    assert is_source(text_b, "Port Workers Union")
    assert is_source("Halvik has also told reporters that fares will rise.", "Halvik")
    assert not is_source(NO_REPLY.format("The Harbour Authority"), "The Harbour Authority")
    assert not is_source("Varga has won 300 votes.", "Varga")
    a = gate_facts(text_a, ["The Harbour Authority"])
    b = gate_facts(text_b, ["Port Workers Union"])
    assert a.actors == b.actors == frozenset()
    assert refusal(a, b) is None


@pytest.mark.parametrize(
    "text",
    [
        "Correction: An earlier version of this article gave the wrong year for the bridge.",
        "CLARIFICATION: the ferry operator is owned by the city, not the region.",
        "This story has been updated to include a statement from the ministry.",
        "This article was corrected to say the bridge opened in 1998, not 1989.",
        "The previous version of this report misstated how many ferries run each day.",
        "Update: the ministry has since confirmed the figure.",
    ],
)
def test_editorial_notices_are_recognized(text: str) -> None:
    assert is_notice(text)


@pytest.mark.parametrize(
    "text",
    [
        "The bridge opened in 1998, the ministry said.",
        "Editor’s note: the council has campaigned against the bridge for years.",
        "The council will correct the budget figures next week.",
        "An earlier version of the law was rejected by parliament.",
    ],
)
def test_claims_are_not_notices(text: str) -> None:
    assert not is_notice(text)


def test_a_notice_joins_no_claim_but_another_notice() -> None:
    notice = gate_facts("Correction: An earlier version of this story said 156 buses were sold.")
    claim = gate_facts("The city sold 156 buses to a private operator last year.")
    again = gate_facts("Correction: An earlier version of this article said 156 buses were sold.")
    assert refusal(notice, claim) == "notice"
    assert not same_claim_pair(notice, claim, 0.95, THRESHOLDS)
    assert refusal(notice, again) is None


def test_numbers_inside_names_are_not_quantities() -> None:
    assert quantities("Shares of the Fortune 500 companies fell sharply.") == frozenset()
    assert quantities("The carrier retired its last Boeing 747 planes in June.") == frozenset()
    assert in_name("If all the Fortune 500 companies paid", 19)
    # A sentence's first word, or a month, does not make a number part of a name.
    assert ("700", "soldiers") in quantities("About 700 soldiers arrived on Monday.")
    assert ("450", "cases") in quantities("In March 450 cases were reported.")
    assert ("700", "soldiers") in quantities("“Some 700 soldiers arrived,” he said.")


def test_lead_quantities_are_those_in_the_first_half_of_a_claim() -> None:
    first = "Some 450 nurses will be hired by the regional hospital next spring."
    last = (
        "The regional hospital said next spring it would finally hire the 450 nurses it promised."
    )
    assert ("450", "nurses") in lead_quantities(first)
    assert ("450", "nurses") in quantities(last)
    assert lead_quantities(last) == frozenset()


def test_the_lenient_threshold_needs_a_quantity_leading_both_claims() -> None:
    a = gate_facts("Some 450 nurses will be hired by the regional hospital next spring.")
    b = gate_facts("About 450 nurses are expected to join the hospital before the summer.")
    c = gate_facts(
        "The hospital said next spring it would finally hire the 450 nurses it promised."
    )
    assert same_claim_pair(a, b, 0.35, THRESHOLDS)
    assert not same_claim_pair(a, c, 0.35, THRESHOLDS)
    assert same_claim_pair(a, c, 0.85, THRESHOLDS)


# Two articles whose claims differ only by who did not answer, and a third with the first's actor.
NO_ANSWER = "{} did not answer questions about the 120 containers lost in the storm on Monday."
ACTORS = [
    {"text": NO_ANSWER.format("The Harbour Authority"), "outlet": "Harbour Post"},
    {"text": NO_ANSWER.format("The Port Workers Union"), "outlet": "Coastal Times"},
    {
        "text": "The Harbour Authority would not answer questions on Monday about the 120 "
        "containers lost in the storm.",
        "outlet": "Island Herald",
    },
]


def _groups_at_low_thresholds(tmp_path, name, records, rules):
    """Ingest ``records`` and cluster them with thresholds low enough that the cosine alone
    would join every claim, so that only the gate's rules keep claims apart."""
    from claimscope.clusters import ClusterConfig, update_clusters
    from claimscope.store import Store
    from tests.clusters.test_clusters import _groups, _ingest

    path = tmp_path / f"{name}.duckdb"
    _ingest(tmp_path, f"{name}.jsonl", records, rules, path)
    low = ClusterConfig(
        semantic=0.3, semantic_quantity=0.3, same_claim=0.3, same_claim_quantity=0.3
    )
    with Store.open(path) as store:
        update_clusters(store, config=low)
    return _groups(path)


def test_clustering_reads_each_claims_actors_from_its_document(tmp_path, rules):
    from tests.clusters.test_clusters import _cluster_of

    records = [r | {"published": f"2024-05-0{i + 1}"} for i, r in enumerate(ACTORS)]
    groups = _groups_at_low_thresholds(tmp_path, "actors", records, rules)
    assert len(_cluster_of(groups, "The Harbour Authority did not")) == 2
    assert _cluster_of(groups, "Port Workers Union") == (ACTORS[1]["text"],)


def test_clustering_keeps_a_correction_apart_from_the_claim_it_corrects(tmp_path, rules):
    from tests.clusters.test_clusters import _cluster_of

    claim = "The city sold 156 buses to a private operator in 2023, the council said."
    notice = (
        "Correction: An earlier version of this article misstated when the city sold 156 buses."
    )
    records = [
        {"text": claim, "outlet": "Harbour Post", "published": "2024-05-01"},
        {"text": f"{claim}\n{notice}", "outlet": "Coastal Times", "published": "2024-05-02"},
    ]
    groups = _groups_at_low_thresholds(tmp_path, "notice", records, rules)
    assert _cluster_of(groups, "Correction:") == (notice,)
    assert _cluster_of(groups, "private operator") == (claim, claim)


def test_numbers_written_as_words_are_read() -> None:
    from claimscope.clusters.claim_text import numbers, numbers_agree

    five, six = numbers("Voters in five provinces backed the plan."), numbers("In six provinces.")
    assert five == {"5": 1} and six == {"6": 1} and not numbers_agree(five, six)
    assert numbers("Three million passengers used the ferry.") == {"3000000": 1}
    # Not "one" ("one of", "no one"), nor a word in a compound ("two-thirds", "twenty-two").
    assert numbers("No one expected two-thirds of the twenty-two seats to change.") == {}
    assert numbers("Eleven ferries and 11 buses.") == {"11": 2}


def test_is_same_claim_reads_each_texts_actors_with_the_entity_model() -> None:
    from claimscope.clusters.same_claim import is_same_claim, same_claim_similarity

    halvik = "The Halvik Ferry Company has cancelled all crossings until Monday."
    ostmark = "The Ostmark Ferry Company has cancelled all crossings until Monday."
    (cosine,) = same_claim_similarity([halvik], [ostmark])
    assert cosine >= 0.81  # the model alone would call them one claim
    assert not is_same_claim(halvik, ostmark)
    assert is_same_claim(halvik, ostmark, actors=((), ()))
