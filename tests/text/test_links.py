from claimscope.text.links import find_handles, find_links, tweet_length


def test_find_links_finds_glued_and_bare_links():
    text = "against Castillohttps://t.co/AbC1 and pic.twitter.com/XyZ9— Name"
    links = find_links(text)
    assert [text[link.start : link.end] for link in links] == [
        "https://t.co/AbC1",
        "pic.twitter.com/XyZ9",
    ]
    assert links[1].url == "https://pic.twitter.com/XyZ9"


def test_find_links_drops_trailing_punctuation():
    text = "See https://example.org/report. And (https://example.org/a_(b))."
    assert [text[lk.start : lk.end] for lk in find_links(text)] == [
        "https://example.org/report",
        "https://example.org/a_(b)",
    ]


def test_find_handles_skips_emails():
    text = "Ask @port_watch or write to press@example.org"
    assert [text[s:e] for s, e in find_handles(text)] == ["@port_watch"]


def test_tweet_length_counts_links_as_23():
    text = "hello https://t.co/a"
    assert tweet_length(text, 0, len(text)) == 6 + 23
