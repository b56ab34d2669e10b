"""The terminal report: what a fact-checker reads top-down, one block per analysis.

Document text is hostile input: every piece of it reaches rich as a ``Text`` (never as markup),
and control characters that could drive the terminal are replaced before printing.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimscope.formatting import (
    excerpt,
    format_date,
    format_number,
    format_quantity,
    plural,
)
from claimscope.model import Analysis, Claim, Post, Sentence, Technique
from claimscope.persuasion.techniques import BY_KEY
from claimscope.report import views
from claimscope.report.terminal_text import plain, quoted
from claimscope.text.language import skipped_note

CLAIM_CHARS = 220
EXCERPT_CHARS = 110
POST_CHARS = 60
SPAN_CHARS = 40


def _dash() -> Text:
    return Text("—", style="dim")


def _score_style(score: float) -> str:
    if score >= 0.75:
        return "bold red"
    if score >= 0.5:
        return "bold yellow"
    if score >= 0.25:
        return "yellow"
    return "dim"


def render_terminal(
    analyses: Sequence[Analysis],
    console: Console,
    *,
    max_claims: int = 15,
    max_rows: int = 30,
) -> None:
    """Print each analysis: header, structure, posts, claims, entities, numbers and timeline.

    ``max_claims`` caps the claims table; ``max_rows`` caps the entity, number and timeline tables
    (a dim line says how many rows were left out).
    """
    for i, analysis in enumerate(analyses):
        if i:
            console.print()
        _render_one(analysis, console, max_claims=max_claims, max_rows=max_rows)


def _render_one(analysis: Analysis, console: Console, *, max_claims: int, max_rows: int) -> None:
    lookup = views.Lookup(analysis)
    _header(analysis, console)
    _structure(analysis, console)
    _posts(analysis, console)
    _claims(analysis, lookup, console, max_claims)
    _contradictions(analysis, console)
    _techniques(analysis, console)
    _entities(analysis, console, max_rows)
    _numbers(analysis, console, max_rows)
    _timeline(analysis, lookup, console, max_rows)


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _more(console: Console, shown: int, total: int, what: str) -> None:
    if total > shown:
        console.print(Text(f"… {total - shown} more {what} not shown", style="dim"))


def _header(analysis: Analysis, console: Console) -> None:
    doc = analysis.document
    console.rule(plain(views.display_title(doc), "bold"))
    about = [("outlet", doc.outlet), ("published", doc.published), ("lang", doc.lang)]
    line = _pairs([(k, v) for k, v in about if v])
    if line:
        line.append(" · ", style="dim")
    line.append(plural(views.word_count(analysis.text), "word"))
    console.print(line)
    origin: list[tuple[str, str]] = []
    anchor = views.anchor_note(analysis)
    if anchor:
        origin.append(("anchor date", anchor))
    if doc.title:
        origin.append(("source", doc.source))
    if origin:
        console.print(_pairs(origin))
    if doc.url:
        console.print(Text("url ", style="dim") + plain(doc.url, "blue"))
    if doc.repairs:
        console.print(Text("repairs ", style="dim") + plain(", ".join(doc.repairs)))
    note = skipped_note(analysis.language, analysis.skipped)
    if note:
        console.print(Text(note, style="yellow"))


def _pairs(pairs: list[tuple[str, str]]) -> Text:
    line = Text()
    for label, value in pairs:
        if line:
            line.append(" · ", style="dim")
        line.append(f"{label} ", style="dim")
        line.append_text(plain(value))
    return line


def _structure(analysis: Analysis, console: Console) -> None:
    counts = views.segment_counts(analysis)
    line = Text("Structure: ", style="bold")
    line.append(
        " · ".join(
            [
                plural(counts["paragraph"], "paragraph"),
                plural(counts["heading"], "heading"),
                plural(counts["quote"], "quote"),
                plural(counts["post"], "post"),
                plural(counts["sentences"], "sentence"),
                plural(counts["claims"], "claim"),
            ]
        )
    )
    console.print()
    console.print(line)


def _posts(analysis: Analysis, console: Console) -> None:
    posts = analysis.posts
    if not posts:
        return
    _section(console, "Embedded posts")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("author")
    table.add_column("handle", style="cyan")
    table.add_column("date", no_wrap=True)
    table.add_column("first words", ratio=3)
    table.add_column("links", ratio=2, overflow="fold")
    for i, post in enumerate(posts, 1):
        table.add_row(
            str(i),
            plain(post.author) if post.author else _dash(),
            plain(post.handle, "cyan") if post.handle else _dash(),
            plain(post.date) if post.date else _dash(),
            plain(_post_words(analysis, post)),
            plain("\n".join(link.url for link in post.links), "blue") if post.links else _dash(),
        )
    console.print(table)


def _post_words(analysis: Analysis, post: Post) -> str:
    return excerpt(analysis.span_text(post.body_start, post.body_end), POST_CHARS)


def _subjectivity(sentence: Sentence) -> Text:
    """``SUBJ .81`` / ``OBJ .12`` from the claim model, or a dash without one."""
    label = sentence.labels.get("subjectivity")
    if label is None:
        return _dash()
    value = sentence.scores.get("subjectivity", 0.0)
    return Text(f"{label} {value:.2f}", style="yellow" if label == "SUBJ" else "dim")


def _claims(analysis: Analysis, lookup: views.Lookup, console: Console, max_claims: int) -> None:
    _section(console, "Claims to check")
    claims = views.claims_by_rank(analysis)
    if not claims:
        console.print(Text("No check-worthy claims found.", style="italic"))
    else:
        shown = claims[: max(0, max_claims)]
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("rank", justify="right")
        table.add_column("score", justify="right")
        table.add_column("subj.", justify="right")
        table.add_column("speaker", ratio=1)
        table.add_column("claim", ratio=5)
        table.add_column("numbers & dates", ratio=2)
        for claim in shown:
            score = views.score_of(claim)
            speaker = lookup.speaker(claim)
            pronoun = lookup.speaker_pronoun(claim)
            if speaker and pronoun:  # "he → Jane Doe": the text's word and who it stands for
                speaker = f"{pronoun} → {speaker}"
            values = lookup.claim_values(claim)
            table.add_row(
                str(claim.rank),
                Text(f"{score:.2f}", style=_score_style(score)),
                _subjectivity(analysis.sentences[claim.sentence]),
                plain(speaker, "magenta") if speaker else _dash(),
                plain(excerpt(analysis.span_text(claim.start, claim.end), CLAIM_CHARS)),
                plain("\n".join(values), "green") if values else _dash(),
            )
        console.print(table)
        _more(console, len(shown), len(claims), "claims")
        _matches(shown, console)
    if analysis.ranking:
        console.print(plain(analysis.ranking, "dim"))


def _matches(claims: list[Claim], console: Console) -> None:
    """The fact-checks the listed claims may repeat, under a sub-heading (none: nothing)."""
    matched = [c for c in claims if c.matches]
    if not matched:
        return
    console.print(Text("Already fact-checked?", style="bold"))
    for claim in matched:
        for m in claim.matches:
            line = Text(f"  #{claim.rank} ", style="dim")
            line.append_text(plain(m.rating or m.verdict or "unrated", "bold"))
            line.append(f" ({m.probability:.2f}) ", style="dim")
            line.append_text(plain(excerpt(m.claim, CLAIM_CHARS)))
            source = ", ".join(x for x in (m.publisher, m.reviewed, m.url) if x)
            if source:
                line.append_text(plain(f" — {source}", "dim"))
            console.print(line)


def _side(analysis: Analysis, sentence_id: int, start: int, end: int) -> Text:
    """The sentence holding a side, quoted and cut around the conflicting part (in bold)."""
    sentence = analysis.sentences[sentence_id]
    text = analysis.span_text(sentence.start, sentence.end)
    return quoted(text, start - sentence.start, end - sentence.start, CLAIM_CHARS // 2)


def _contradictions(analysis: Analysis, console: Console) -> None:
    """Both sides of each contradiction, quoted, and the explanation."""
    if not analysis.contradictions and "claimscope.contradictions.v1" not in analysis.pipeline:
        return  # analyzed without the stage: say nothing rather than "none found"
    _section(console, "Contradictions")
    if not analysis.contradictions:
        console.print(Text("No contradictions found.", style="italic"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("kind", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("one sentence says", ratio=3)
    table.add_column("another says", ratio=3)
    table.add_column("explanation", ratio=2)
    for c in sorted(analysis.contradictions, key=lambda c: (-c.score, c.a_start)):
        table.add_row(
            Text(c.kind, style="magenta"),
            Text(f"{c.score:.2f}", style=_score_style(c.score)),
            _side(analysis, c.sentence_a, c.a_start, c.a_end),
            _side(analysis, c.sentence_b, c.b_start, c.b_end),
            plain(c.explanation),
        )
    console.print(table)


def _techniques(analysis: Analysis, console: Console) -> None:
    """Counts and density, then the sentences that use the most techniques, spans underlined."""
    if not views.has_technique_model(analysis):
        return  # say nothing rather than "none found"
    _section(console, "Persuasion techniques")
    summary = analysis.persuasion()
    if not summary.spans:
        console.print(Text("No persuasion techniques found.", style="italic"))
        # By default only the techniques the model gets right at least half the time are shown
        # (docs/persuasion.md); say how to see the rest rather than leave "none" unexplained.
        console.print(
            Text(
                "Shown by default: techniques whose spans are right at least half the time; "
                "--techniques-shown all lists every span the model finds.",
                style="dim",
            )
        )
        return
    line = Text()
    line.append(plural(summary.spans, "span"), style="bold")
    line.append(f" in {plural(summary.sentences, 'sentence')} · ")
    line.append(f"{summary.density:g} per 1,000 words", style="bold")
    console.print(line)
    counts = Text()
    for key, n in summary.counts.items():
        if counts:
            counts.append(" · ", style="dim")
        counts.append(BY_KEY[key].name, style="magenta")
        counts.append(f" {n}")
    console.print(counts)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("sentence (spans underlined)", ratio=3)
    table.add_column("technique, score, span", ratio=2)
    by_sentence: dict[int, list[Technique]] = {}
    for t in analysis.techniques:
        by_sentence.setdefault(t.sentence, []).append(t)
    for sentence_id in summary.top_sentences:
        sentence = analysis.sentences[sentence_id]
        found = by_sentence[sentence_id]
        text = plain(analysis.span_text(sentence.start, sentence.end))
        for t in found:
            text.stylize("underline magenta", t.start - sentence.start, t.end - sentence.start)
        text.truncate(CLAIM_CHARS, overflow="ellipsis")
        spans = Text()
        for t in found:
            if spans:
                spans.append("\n")
            spans.append(f"{t.name} {t.score:.2f} ", style="magenta")
            if (t.start, t.end) != (sentence.start, sentence.end):
                quoted = excerpt(analysis.span_text(t.start, t.end), SPAN_CHARS)
                spans.append_text(plain(f"“{quoted}”"))
        table.add_row(text, spans)
    console.print(table)


def _entities(analysis: Analysis, console: Console, max_rows: int) -> None:
    _section(console, "Key entities")
    groups = views.group_entities(analysis.entities)
    if not groups:
        console.print(Text("No entities found.", style="italic"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("entity")
    table.add_column("label", style="dim")
    table.add_column("mentions", justify="right")
    for group in groups[:max_rows]:
        table.add_row(plain(group.norm, "bold"), plain(group.label, "dim"), str(group.count))
    console.print(table)
    _more(console, min(len(groups), max_rows), len(groups), "entities")


def _numbers(analysis: Analysis, console: Console, max_rows: int) -> None:
    _section(console, "Numbers")
    quantities = sorted(analysis.quantities, key=lambda q: (q.start, q.id))
    if not quantities:
        console.print(Text("No numbers found.", style="italic"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("value", justify="right", style="green")
    table.add_column("unit")
    table.add_column("qualifier", style="dim")
    table.add_column("normalized", style="green")
    table.add_column("text", ratio=1)
    for q in quantities[:max_rows]:
        table.add_row(
            format_number(q.value),
            plain(q.unit) if q.unit else _dash(),
            plain(q.qualifier.replace("_", " ")),
            plain(format_quantity(q), "green"),
            plain(excerpt(analysis.span_text(q.start, q.end), EXCERPT_CHARS)),
        )
    console.print(table)
    _more(console, min(len(quantities), max_rows), len(quantities), "numbers")


def _timeline(analysis: Analysis, lookup: views.Lookup, console: Console, max_rows: int) -> None:
    _section(console, "Timeline")
    events = analysis.timeline()
    if not events:
        console.print(Text("No dated events.", style="italic"))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("date", no_wrap=True, style="green")
    table.add_column("speaker", ratio=1)
    table.add_column("sentence", ratio=5)
    for event in events[:max_rows]:
        date = lookup.dates.get(event.date)
        table.add_row(
            plain(format_date(date) if date else event.value, "green"),
            plain(event.speaker, "magenta") if event.speaker else _dash(),
            plain(lookup.event_sentence(event, EXCERPT_CHARS)),
        )
    console.print(table)
    _more(console, min(len(events), max_rows), len(events), "dated events")
    if any(d.anchored for d in analysis.dates):
        console.print(Text("* year taken from the anchor date", style="dim"))
