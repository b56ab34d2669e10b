from claimscope.model import (
    Analysis,
    Document,
    Link,
    Post,
    Quantity,
    Segment,
    Sentence,
    content_hash,
)


def _analysis():
    text = "Officials counted 700 troops.\nMore soon pic.twitter.com/Ab12\n— A B (@ab) May 1, 2024"
    post = Post(
        start=30,
        end=len(text),
        body_start=30,
        body_end=60,
        author="A B",
        handle="@ab",
        handle_start=text.index("@ab"),
        handle_end=text.index("@ab") + 3,
        date="2024-05-01",
        links=[Link(start=40, end=60, url="https://pic.twitter.com/Ab12")],
    )
    return Analysis(
        document=Document(text=text, source="<text>"),
        segments=[
            Segment(id=0, kind="paragraph", start=0, end=29),
            Segment(id=1, kind="post", start=30, end=len(text), post=post),
        ],
        sentences=[Sentence(id=0, segment=0, start=0, end=29, features={"has_quantity": True})],
        quantities=[
            Quantity(id=0, sentence=0, start=18, end=28, value=700.0, unit="troops", noun="troops")
        ],
    )


def test_document_id_is_content_hash():
    assert Document(text="abc").id == content_hash("abc")
    assert Document(text="abc").id != Document(text="abd").id


def test_analysis_to_dict_adds_span_texts():
    data = _analysis().to_dict()
    assert data["sentences"][0]["text"] == "Officials counted 700 troops."
    assert data["quantities"][0]["text"] == "700 troops"
    post = data["segments"][1]["post"]
    assert post["body_text"] == "More soon pic.twitter.com/Ab12"
    assert post["handle_text"] == "@ab"
    assert post["links"][0]["text"] == "pic.twitter.com/Ab12"


def test_analysis_round_trips_through_json():
    analysis = _analysis()
    assert Analysis.from_json(analysis.to_json()) == analysis


def test_analysis_posts_lists_recovered_posts():
    assert [p.handle for p in _analysis().posts] == ["@ab"]
