from claimscope.claims.features import sentence_features
from claimscope.claims.ranking import load_card, rank_claims
from claimscope.model import Analysis, DateRef, Document, Entity, Quantity, Segment, Sentence

TEXT = (
    "The mill laid off 200 workers on May 3, 2024. "
    "Could this be the end? "
    "It was a sad day for everyone we know. "
    "Rumors say the owner may sell the land to Norvik."
)


def _analysis():
    start, bounds = 0, []
    for piece in (
        "The mill laid off 200 workers on May 3, 2024.",
        "Could this be the end?",
        "It was a sad day for everyone we know.",
        "Rumors say the owner may sell the land to Norvik.",
    ):
        s = TEXT.index(piece, start)
        bounds.append((s, s + len(piece)))
        start = s + len(piece)
    sentences = [Sentence(id=i, segment=0, start=s, end=e) for i, (s, e) in enumerate(bounds)]
    q = TEXT.index("200 workers")
    d = TEXT.index("May 3, 2024")
    n = TEXT.index("Norvik")
    return Analysis(
        document=Document(text=TEXT),
        segments=[Segment(id=0, kind="paragraph", start=0, end=len(TEXT))],
        sentences=sentences,
        quantities=[Quantity(id=0, sentence=0, start=q, end=q + 11, value=200, unit="workers")],
        dates=[
            DateRef(
                id=0,
                sentence=0,
                start=d,
                end=d + 11,
                kind="date",
                start_date="2024-05-03",
                end_date="2024-05-03",
                granularity="day",
                value="2024-05-03",
            )
        ],
        entities=[Entity(id=0, sentence=3, start=n, end=n + 6, label="ORG", norm="Norvik")],
    )


def test_sentence_features_flag_questions_hedges_and_first_person():
    a = _analysis()
    sentence_features(a)
    f = [s.features for s in a.sentences]
    assert f[0]["has_quantity"] and f[0]["has_date"] and not f[0]["is_question"]
    assert f[1]["is_question"] and f[1]["hedged"]
    assert f[2]["first_person"]
    assert f[3]["hedged"] and f[3]["has_entity"]


def test_rank_claims_orders_by_score_and_explains():
    a = _analysis()
    sentence_features(a)
    rank_claims(a)
    assert a.claims[0].sentence == 0
    top = a.claims[0]
    assert top.rank == 1 and top.quantities == [0] and top.dates == [0]
    assert "states a number" in top.reasons
    assert 1 not in [c.sentence for c in a.claims]  # a question with nothing checkable
    assert all(0.0 <= s.scores["claim"] <= 1.0 for s in a.sentences)
    assert "heuristic" in a.ranking


def test_rank_claims_threshold_filters():
    a = _analysis()
    sentence_features(a)
    rank_claims(a, threshold=0.99)
    assert a.claims == []


def test_ranker_card_documents_method_and_weights():
    card = load_card()
    assert {"weights", "threshold", "method", "version"} <= set(card)
