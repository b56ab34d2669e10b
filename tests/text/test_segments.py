import pytest

from claimscope.text.segments import segment_text

ARTICLE = (
    "Harbour Deal Under Fire\n"
    "\n"
    "The council approved the plan on Monday after a long debate about costs and jobs.\n"
    "Fishermen were not consulted, and the port will close for nine months.\n"
    "They promised jobs. They delivered fences\n"
    "Nobody asked the people who live here.https://t.co/AbC123xyz\n"
    "— Ana Ruiz 🌊 (@ana_ruiz) June 2, 2024\n"
    "The ministry rejected the criticism in a statement issued late on Tuesday night.\n"
    "Look at the queue outside the port office this morning 😡 pic.twitter.com/Zz9Yy8Xx7w— "
    "Port Watch (@portwatch) June 3, 2024\n"
    "Boats are still waiting at the entrance pic.twitter.com/Qq1Ww2Ee3r\n"
    "“We will not accept a port without fishermen.”\n"
)


def _texts(text, kind):
    return [text[s.start : s.end] for s in segment_text(text) if s.kind == kind]


def test_segment_text_finds_heading_paragraphs_and_quote():
    assert _texts(ARTICLE, "heading") == ["Harbour Deal Under Fire"]
    paragraphs = _texts(ARTICLE, "paragraph")
    assert paragraphs[0].startswith("The council approved")
    assert paragraphs[-1].startswith("The ministry rejected")
    assert _texts(ARTICLE, "quote") == ["“We will not accept a port without fishermen.”"]


def test_segment_text_recovers_multiline_signed_post():
    posts = [s.post for s in segment_text(ARTICLE) if s.post]
    first = posts[0]
    body = ARTICLE[first.body_start : first.body_end]
    assert body.startswith("They promised jobs.")
    assert body.endswith("https://t.co/AbC123xyz")
    assert first.author == "Ana Ruiz"
    assert first.handle == "@ana_ruiz"
    assert ARTICLE[first.handle_start : first.handle_end] == "@ana_ruiz"
    assert first.date == "2024-06-02"
    assert [link.url for link in first.links] == ["https://t.co/AbC123xyz"]


def test_segment_text_recovers_signature_glued_to_photo_link():
    posts = [s.post for s in segment_text(ARTICLE) if s.post]
    glued = posts[1]
    assert glued.handle == "@portwatch"
    assert glued.author == "Port Watch"
    assert ARTICLE[glued.body_start : glued.body_end].endswith("pic.twitter.com/Zz9Yy8Xx7w")
    assert glued.links[0].url == "https://pic.twitter.com/Zz9Yy8Xx7w"


def test_segment_text_finds_unsigned_photo_post():
    posts = [s.post for s in segment_text(ARTICLE) if s.post]
    unsigned = posts[2]
    assert unsigned.handle is None
    assert ARTICLE[unsigned.start : unsigned.end].startswith("Boats are still waiting")


def test_segment_text_leaves_no_post_text_in_paragraphs():
    for paragraph in _texts(ARTICLE, "paragraph"):
        assert "@" not in paragraph and "t.co" not in paragraph and "pic.twitter" not in paragraph


def test_segment_text_stops_post_at_article_sentence():
    text = (
        "The mayor resigned on Friday.\n"
        "What a week for the city\n"
        "— Local Desk (@localdesk) May 1, 2024\n"
    )
    (post,) = [s.post for s in segment_text(text) if s.post]
    assert text[post.body_start : post.body_end] == "What a week for the city"


def test_segment_text_joins_hard_wrapped_lines():
    text = (
        "The committee met for the third time this year and again failed to\n"
        "agree on a budget for the regional hospital, which has been waiting\n"
        "for new equipment since the flood.\n"
        "\n"
        "A second paragraph follows the blank line.\n"
    )
    paragraphs = _texts(text, "paragraph")
    assert len(paragraphs) == 2
    assert paragraphs[0].endswith("since the flood.")


def test_segment_text_keeps_crlf_out_of_spans():
    text = "First paragraph here.\r\nSecond paragraph here.\r\n"
    assert _texts(text, "paragraph") == ["First paragraph here.", "Second paragraph here."]


def test_segment_text_handles_empty_and_blank_text():
    assert segment_text("") == []
    assert segment_text("\n\n   \n") == []


def test_segment_text_handles_ascii_dashes_glued_to_photo_link():
    text = (
        "Queues again at the depot pic.twitter.com/Ab12Cd34-- Bus Riders (@busriders) Feb 4, 2022"
    )
    (post,) = [s.post for s in segment_text(text) if s.post]
    assert post.handle == "@busriders"
    assert post.links[0].url == "https://pic.twitter.com/Ab12Cd34"


def test_segment_text_keeps_photo_post_apart_from_next_signed_post():
    text = (
        "A long article paragraph that ends with a full stop and says plenty of things.\n"
        "Look at this pic.twitter.com/Zz11Yy22\n"
        "Nobody asked us about the new depot\n"
        "— Ana Ruiz (@ana_ruiz) June 2, 2024\n"
    )
    posts = [s.post for s in segment_text(text) if s.post]
    assert len(posts) == 2
    signed = next(p for p in posts if p.handle)
    assert text[signed.body_start : signed.body_end] == "Nobody asked us about the new depot"


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Read more: Council approves 4 million euro harbour budget",
        "READ MORE: Ferry strike ends after 3 days",
        "Related: Mayor resigns",
        "Related stories",
        "See also — The budget in numbers",
        "Share this article",
    ],
)
def test_page_furniture_is_its_own_kind(line):
    text = f"The council met on Monday.\n{line}\nThe vote passed 21 to 9."
    kinds = [s.kind for s in segment_text(text)]
    assert kinds == ["paragraph", "furniture", "paragraph"]


@pytest.mark.parametrize(
    "line",
    [
        "Related charges were filed against two officials on Friday.",
        "Read more carefully, the report says the opposite.",
        "Subscribers will pay 3 euros more from June.",
        "Watch the budget: it grew by 12 percent",
    ],
)
def test_sentences_that_start_like_furniture_are_not_furniture(line):
    text = f"The council met on Monday.\n{line}\nThe vote passed 21 to 9."
    assert "furniture" not in [s.kind for s in segment_text(text)]
