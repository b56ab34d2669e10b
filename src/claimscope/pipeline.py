"""The pipeline: ordered stages over batches of documents; ``analyze`` and ``analyze_many``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Importing the stage modules registers their stages.
import claimscope.claims.scoring
import claimscope.claims.stage
import claimscope.consistency.stage
import claimscope.extract.stages
import claimscope.text.stage
import claimscope.verify.stage  # noqa: F401
from claimscope import ingest
from claimscope.errors import ClaimscopeError, InputError, PipelineError
from claimscope.model import Analysis, Document, Failure
from claimscope.registry import STAGES, Stage
from claimscope.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_STAGES: tuple[str, ...] = (
    "claimscope.structure.v1",
    "claimscope.language.v1",
    "claimscope.anchor.v1",
    "claimscope.entities.v1",
    "claimscope.dates.v1",
    "claimscope.quantities.v1",
    # Scores before attribution: the encoder pass that scores sentences also gives the token
    # states the attribution tagger reads.
    "claimscope.scores.v1",
    "claimscope.attribution.v1",
    "claimscope.claims.v1",
    "claimscope.contradictions.v1",
)
# Stages that run only when a setting asks for them.
MATCH_STAGE = "claimscope.factcheck_matches.v1"
# Stages whose models or rules read English only (spaCy's English NER, English number words and
# cues, the claim and persuasion models, English negation). On a document in another language
# they are skipped, and the analysis lists them in ``skipped``: no output beats wrong output.
ENGLISH_ONLY = frozenset(
    {
        "claimscope.entities.v1",
        "claimscope.quantities.v1",
        "claimscope.attribution.v1",
        "claimscope.scores.v1",
        "claimscope.claims.v1",
        "claimscope.contradictions.v1",
        MATCH_STAGE,
    }
)


def stage_names(settings: Settings) -> tuple[str, ...]:
    """The stages ``settings`` call for: the default ones, plus fact-check matching when a
    store of fact-checks is given."""
    return (*DEFAULT_STAGES, MATCH_STAGE) if settings.factchecks else DEFAULT_STAGES


_PATH_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv")
# Documents analyzed together: large enough for spaCy to batch, small enough to stream.
CHUNK_SIZE = 32


def build_pipeline(names: Sequence[str] = DEFAULT_STAGES) -> list[Stage]:
    """The stages named, checked so that each one's inputs are assigned by an earlier one."""
    assigned = {"document"}
    stages = []
    for name in names:
        if name not in STAGES:
            raise PipelineError(f"unknown stage {name!r}; known: {', '.join(sorted(STAGES))}")
        stage = STAGES[name]
        missing = [r for r in stage.requires if r not in assigned]
        if missing:
            raise PipelineError(
                f"stage {name} needs {', '.join(missing)}, assigned by no earlier stage"
            )
        assigned.update(stage.assigns)
        stages.append(stage)
    return stages


@dataclass(slots=True)
class Batch:
    """The result of analyzing many inputs: the analyses, and the inputs that failed."""

    analyses: list[Analysis] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def run_stages(documents: Sequence[Document], stages: Sequence[Stage], settings: Settings) -> Batch:
    """Run ``stages`` over the documents as one batch; a document breaking a stage fails alone."""
    batch = [Analysis(document=d, pipeline=[s.name for s in stages]) for d in documents]
    failed: list[Failure] = []
    for stage in stages:
        active = batch
        if stage.name in ENGLISH_ONLY:
            active = [a for a in batch if a.language in (None, "en")]
            for a in batch:
                if a.language not in (None, "en"):
                    a.skipped.append(stage.name)
        try:
            stage(active, settings)
        except Exception:
            # Retry one by one, so the one bad document is isolated and the rest go on.
            lost = {id(a) for a in active if not _retry(stage, a, settings, failed)}
            batch = [a for a in batch if id(a) not in lost]
    for a in batch:
        a.token_states.clear()  # what stages left each other is not part of the result
    return Batch(analyses=batch, failures=failed)


def _retry(stage: Stage, a: Analysis, settings: Settings, failed: list[Failure]) -> bool:
    """Run ``stage`` on ``a`` alone; on failure record why in ``failed`` and say False."""
    try:
        stage([a], settings)
        return True
    except InputError as exc:  # this document is bad input: it fails alone
        failed.append(Failure(source=a.document.source, error=str(exc), kind=type(exc).__name__))
    except ClaimscopeError:
        raise
    except Exception as exc:
        logger.exception("stage %s failed on %s", stage.name, a.document.source)
        failed.append(
            Failure(
                source=a.document.source,
                error=f"stage {stage.name} failed: {type(exc).__name__}: {exc}",
                kind="StageError",
            )
        )
    return False


def _looks_like_path(source: str) -> bool:
    """A path when it names a file, or has no spaces and ends like one (``report.txt``)."""
    if "\n" in source or len(source) > 1024:
        return False
    try:
        if Path(source).exists():
            return True
    except OSError:  # e.g. a name too long for the file system: a text, then
        return False
    return not any(c.isspace() for c in source) and Path(source).suffix.lower() in _PATH_SUFFIXES


def analyze(
    source: str | Path | Document,
    *,
    settings: Settings | None = None,
    **meta: Any,
) -> Analysis:
    """Analyze one article: a path, a text, or a Document.

    A ``str`` is read as a path when it names a file (or ends like one: ``.txt``, ``.html``...),
    and as the article's text otherwise. ``meta`` (title, url, published, outlet, lang) applies
    to a text. Raises ``ClaimscopeError`` with a one-line message for bad input.
    """
    settings = settings or Settings()
    if isinstance(source, Document):
        docs: list[Document | Failure] = [source]
    elif isinstance(source, Path) or _looks_like_path(source):
        docs = list(ingest.read_path(source, settings=settings))
    else:
        docs = [ingest.read_text(source, settings=settings, **meta)]
    if len(docs) != 1:
        raise InputError(
            f"holds {len(docs)} records; use analyze_many() or the CLI for record files",
            source=str(source),
        )
    doc = docs[0]
    if isinstance(doc, Failure):
        raise InputError(doc.error)
    result = run_stages([doc], build_pipeline(stage_names(settings)), settings)
    if result.failures:
        failure = result.failures[0]
        error = InputError if failure.kind == "InputError" else PipelineError
        raise error(failure.error, source=doc.source)
    return result.analyses[0]


def iter_analyses(
    sources: Iterable[str | Path | Document],
    *,
    settings: Settings | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[Analysis | Failure]:
    """Analyze many inputs lazily, in chunks; yields each Analysis, or a Failure for bad input."""
    settings = settings or Settings()
    stages = build_pipeline(stage_names(settings))
    pending: list[Document] = []

    def flush() -> Iterator[Analysis | Failure]:
        result = run_stages(pending, stages, settings)
        pending.clear()
        yield from result.analyses
        yield from result.failures

    for item in _documents(sources, settings):
        if isinstance(item, Failure):
            yield item
            continue
        pending.append(item)
        if len(pending) >= chunk_size:
            yield from flush()
    if pending:
        yield from flush()


def _documents(
    sources: Iterable[str | Path | Document], settings: Settings
) -> Iterator[Document | Failure]:
    for source in sources:
        if isinstance(source, Document):
            yield source
        else:
            yield from ingest.iter_documents([source], settings=settings)


def analyze_many(
    sources: Iterable[str | Path | Document],
    *,
    settings: Settings | None = None,
    progress: Callable[[Analysis | Failure], None] | None = None,
) -> Batch:
    """Analyze many inputs (paths, ``-`` for stdin, Documents); bad ones are listed, not raised."""
    batch = Batch()
    for item in iter_analyses(sources, settings=settings):
        if isinstance(item, Failure):
            batch.failures.append(item)
        else:
            batch.analyses.append(item)
        if progress:
            progress(item)
    return batch
