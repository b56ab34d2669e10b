"""Verification commands: fact-check collections, matching, evidence indexes and checks."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from claimscope.cli.common import (
    DbOpt,
    QuietOpt,
    app,
    err,
    fail,
    finish,
    one_line_errors,
    settings_options,
    write_output,
)
from claimscope.settings import Settings

factchecks_app = typer.Typer(
    help="Fact-check collections: import ClaimReview, CSV and CheckThat! files; export.",
    no_args_is_help=True,
)
app.add_typer(factchecks_app, name="factchecks")


@factchecks_app.command("import")
def factchecks_import(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="ClaimReview JSON-LD (.json, .jsonld, .jsonl, or .html pages that embed it), "
            "CSV/TSV, CheckThat! verified-claim files, or folders of them."
        ),
    ],
    db: DbOpt,
    quiet: QuietOpt = False,
) -> None:
    """Import fact-checks into a corpus store (a known id is replaced); bad records listed."""
    from claimscope.store import Store
    from claimscope.store.factchecks import (
        count_factchecks,
        import_factchecks,
        open_factcheck_index,
    )
    from claimscope.verify.factchecks import read_factchecks
    from claimscope.verify.matching import keep_claim_vectors

    columns = (TextColumn("{task.description}"), MofNCompleteColumn(), TextColumn("fact-checks"))
    with (
        one_line_errors(),
        Store.open(db) as store,
        Progress(*columns, console=err, disable=quiet) as bar,
    ):
        task = bar.add_task("importing", total=None)
        stats = import_factchecks(
            store, read_factchecks(paths), progress=lambda n: bar.advance(task, n)
        )
        if count_factchecks(store):
            # The BM25 index and the pair model's claim vectors, computed once here.
            with open_factcheck_index(store) as index:
                embed = bar.add_task("embedding", total=None, visible=False)
                keep_claim_vectors(
                    index, progress=lambda n: bar.update(embed, advance=n, visible=True)
                )
    summary = (
        f"{stats.read} fact-checks read, {stats.stored} stored, {len(stats.failures)} "
        f"failed, {len(stats.warnings)} field(s) ignored -> {db}"
    )
    if not quiet:
        err.print(summary, highlight=False, markup=False)
        for note in stats.warnings[:10]:
            err.print(f"note: {note.source}: {note.error}", highlight=False, markup=False)
    finish(None, stats.failures, any_ok=stats.read > 0)


@factchecks_app.command("export")
def factchecks_export(
    db: DbOpt,
    out: Annotated[str, typer.Option("--out", help="The JSON-LD file to write (- for stdout).")],
) -> None:
    """Write the store's fact-checks as a schema.org ClaimReview data feed (JSON-LD)."""
    from claimscope.store import Store
    from claimscope.store.factchecks import load_factchecks
    from claimscope.verify.claimreview import claim_review_feed

    with one_line_errors():
        with Store.open(db, read_only=True) as store:
            feed = claim_review_feed(load_factchecks(store))
        write_output(out, json.dumps(feed, ensure_ascii=False, indent=2) + "\n")
    if out != "-":
        n = len(feed["dataFeedElement"])
        err.print(f"{n} ClaimReviews -> {out}", highlight=False, markup=False)


@app.command()
def match(
    text: Annotated[str, typer.Argument(help="A sentence or post ('-' reads stdin).")],
    db: DbOpt,
    top: Annotated[int, typer.Option("--top", "-k", help="Fact-checks shown.")] = 5,
    rerank: Annotated[
        bool,
        typer.Option("--rerank/--no-rerank", help="Re-score with the pair model (default)."),
    ] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
) -> None:
    """Has this been fact-checked already? The stored fact-checks a text repeats, best first."""
    from claimscope.models.reranker import installed, load_pair_scorer
    from claimscope.store import Store
    from claimscope.store.factchecks import fetch_factchecks, open_factcheck_index
    from claimscope.verify.matching import FactCheckMatcher
    from claimscope.verify.render import render_matches

    bm25_only = rerank and not installed()
    if bm25_only:
        rerank = False
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise fail("the text to match is empty")
    with (
        one_line_errors(),
        Store.open(db, read_only=True) as store,
        open_factcheck_index(store) as index,
    ):
        reranker = load_pair_scorer() if rerank else None
        found = FactCheckMatcher(index, fetch_factchecks(store), reranker=reranker).match(text, top)
    if bm25_only:
        err.print("note: no pair model installed (match-minilm): ranked by BM25 alone")
    if json_out:
        sys.stdout.write(json.dumps([m.to_dict() for m in found], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        render_matches(text, found, Console())


evidence_app = typer.Typer(
    help="Evidence: index a corpus of documents into passages that claims are checked against.",
    no_args_is_help=True,
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("index")
@settings_options(
    ("input_format", "text_field", "title_field", "url_field", "date_field", "max_bytes")
)
def evidence_index(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files and folders (walked recursively), read as ingest reads them: .txt, "
            ".html, .json, .jsonl, .csv, .warc, .warc.gz."
        ),
    ],
    index: Annotated[str, typer.Option("--index", help="The index folder (made when new).")],
    vectors: Annotated[
        bool,
        typer.Option(
            "--vectors/--no-vectors",
            help="Embed passages for search by meaning (a new index only; default on).",
        ),
    ] = True,
    quiet: QuietOpt = False,
    *,
    settings: Settings,
) -> None:
    """Index documents into passages (BM25 and vectors); documents indexed before are skipped."""
    from claimscope.ingest.inputs import check_paths, count_documents
    from claimscope.verify.evidence_index import index_paths

    columns = (
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("inputs"),
        TimeElapsedColumn(),
    )
    with one_line_errors():
        total = count_documents(check_paths(paths))
        with Progress(*columns, console=err, disable=quiet) as bar:
            task = bar.add_task("index", total=total)
            stats = index_paths(
                paths,
                index,
                settings=settings,
                vectors=vectors,
                progress=lambda n: bar.advance(task, n),
            )
    summary = (
        f"{stats.read} documents read, {stats.added} indexed ({stats.passages} passages), "
        f"{stats.skipped} already indexed, {len(stats.failures)} failed -> {index}"
    )
    finish(None if quiet else summary, stats.failures, any_ok=stats.read > 0)


@app.command()
def check(
    claim: Annotated[str, typer.Argument(help="The claim to check ('-' reads stdin).")],
    index: Annotated[str, typer.Option("--index", help="An evidence index folder.")],
    top: Annotated[int, typer.Option("--top", "-k", help="Passages weighed and shown.")] = 5,
    stance: Annotated[
        bool,
        typer.Option("--stance/--no-stance", help="Score stance with the stance model (default)."),
    ] = True,
    stance_model: Annotated[
        str | None,
        typer.Option(
            "--stance-model", help="A stance-model folder (claimscope train stance --out DIR)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """What does the evidence say? Top passages, their stance, and a verdict with its reasons."""
    from claimscope.models.stance import STANCE_MODEL, installed, load_stance_scorer
    from claimscope.verify.check import check as check_claim
    from claimscope.verify.render import render_check

    if claim == "-":
        claim = sys.stdin.read()
    model = stance_model or STANCE_MODEL
    if stance_model and not installed(stance_model):
        raise fail(f"--stance-model {stance_model}: no stance-model folder there")
    rules_only = stance and not installed(model)
    with one_line_errors():
        scorer = load_stance_scorer(model) if stance and not rules_only else None
        result = check_claim(claim, index, k=top, scorer=scorer, stance=scorer is not None)
    if rules_only:
        err.print(
            f"note: no stance model installed ({STANCE_MODEL}): verdict from the number, date "
            "and negation rules alone",
            highlight=False,
            markup=False,
        )
    if json_out:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        render_check(result, Console())
