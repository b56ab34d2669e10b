"""Inputs written for the reader tests: an article page, a page with no article, PNG bytes."""

from __future__ import annotations

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Harbour town votes to rebuild sea wall | The Coastal Ledger</title>
<meta property="og:title" content="Harbour town votes to rebuild sea wall">
<meta property="og:site_name" content="The Coastal Ledger">
<meta property="og:url" content="https://ledger.example.org/news/sea-wall">
<meta property="article:published_time" content="2024-03-05T08:30:00+00:00">
<meta name="author" content="Mara Quint">
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour town votes to rebuild sea wall</h1>
<p>The council of Port Elvy voted 7 to 2 on Monday to rebuild the town’s sea wall,
a project it says will cost about €4.2 million.</p>
<p>“We cannot wait for the next storm,” said the mayor, Ines Dorrow, who added that the
old wall was built in 1962.</p>
<p>Opponents argued that the estimate was too low and that the work should be put to a
referendum before any contract is signed.</p>
<p>The vote follows a winter in which waves breached the wall three times, flooding 40 homes
near the old fish market.</p>
</article>
<footer>© 2024 The Coastal Ledger</footer>
</body>
</html>
"""

NO_ARTICLE_HTML = """<!DOCTYPE html>
<html><head><title>Loading…</title><script>window.app = {};</script></head>
<body><div id="app"></div><script src="/bundle.js"></script></body></html>
"""

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06" + bytes(
    range(256)
)
