"""GPU session driver: train stance and claim-model variants in parallel, select on
validation/dev only, package the chosen ones, copy them (split < 16 MiB) and every figure to $OUT.

Usage: python3 benchmarks/gpu/jobs.py all       (claim and stance models)
       python3 benchmarks/gpu/jobs.py matching  (the bi-encoder matcher: six variants)
       python3 benchmarks/gpu/jobs.py subjectivity  (stage 1 with more subjectivity data)
       python3 benchmarks/gpu/jobs.py one SPEC  (one job; the orchestrators call this)
SMOKE=1 shrinks everything for a CPU check.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

SMOKE = bool(os.environ.get("SMOKE"))
DATA = Path(os.environ.get("GPU_DATA", "/tmp/data"))
BASE = Path(os.environ.get("GPU_BASE", "/tmp/base"))
RUNS = Path(os.environ.get("GPU_RUNS", "/tmp/runs"))
OUT = Path(os.environ.get("OUT", "/tmp/out"))
T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - T0:6.1f}s] {msg}", flush=True)


def stance_job(spec: dict) -> dict:
    from claimscope.training.stance import StanceConfig, export_stance, train_stance

    work, out = RUNS / spec["name"] / "work", RUNS / spec["name"] / "model"
    config = StanceConfig(
        epochs=1 if SMOKE else spec["epochs"],
        seed=spec["seed"],
        batch_size=spec.get("batch_size", 32),
        lr=spec.get("lr", 4e-5),
        synthetic=spec["synthetic"],
        limit=64 if SMOKE else None,
        threads=2,
        log_every=200,
    )
    summary = train_stance(base=BASE, data_dir=DATA / "verification", work=work, config=config)
    card = export_stance(base=BASE, data_dir=DATA / "verification", work=work, out=out)
    best = max(summary["history"], key=lambda h: h["key"])
    return {
        "kind": "stance",
        "spec": spec,
        "dev_key": best["key"],
        "selected_epoch": best["epoch"],
        "history": summary["history"],
        "sizes": summary["sizes"],
        "metrics": {k: v["int8"] for k, v in card["metrics"].items()},
        "model": str(out),
    }


def _claim_paths() -> dict:
    cw, subj = DATA / "checkworthiness", DATA / "subjectivity"
    task6 = DATA / "persuasion" / "semeval2021_task6"
    return {
        "checkworthiness": [cw / "ct24_english_train.tsv"],
        "extra": [cw / "claimbuster" / "train.json"],
        "subj_train": subj / "ct25_train_en.tsv",
        "subj_dev": subj / "ct25_dev_en.tsv",
        "report_cw": cw / "ct24_english_dev.tsv",
        "report_subj": subj / "ct25_dev_test_en.tsv",
        "ptc": DATA / "persuasion" / "ptc",
        "memes": [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"],
    }


def _train_stage1(spec: dict, work: Path, subj_train: Path, subj_dev: Path) -> dict:
    """Stage 1 (the encoder and the claim heads, no technique heads): the training summary."""
    from claimscope.training import claims

    p = _claim_paths()
    config = claims.TrainConfig(
        epochs=1 if SMOKE else spec["epochs"],
        seed=spec["seed"],
        lr=spec.get("lr", 5e-5),
        subj_oversample=spec.get("subj_oversample", 4),
        warmup=spec.get("warmup", 0.1),
        limit=48 if SMOKE else None,
        threads=2,
    )
    return claims.train(
        checkworthiness=p["checkworthiness"],
        extra_checkworthiness=p["extra"],
        subjectivity_train=subj_train,
        subjectivity_dev=subj_dev,
        base=BASE,
        out=work,
        config=config,
        held_out=[p["report_cw"], p["report_subj"]],
    )


def claims1_job(spec: dict) -> dict:
    """Stage 1: the encoder and the claim heads (no technique heads)."""
    from claimscope.training import claims

    p = _claim_paths()
    work = RUNS / spec["name"] / "work"
    summary = _train_stage1(spec, work, p["subj_train"], p["subj_dev"])
    return {
        "kind": "claims1",
        "spec": spec,
        "key": claims._selection_key(summary["selected"]),
        "selected": summary["selected"],
        "history": summary["history"],
        "work": str(work),
    }


def _pooled_subjectivity(spec: dict, work: Path) -> tuple[Path, Path]:
    """CT25 train and dev pooled, then split again (stratified, seeded): 80% to train on,
    20% to select on, so the selection never sees a sentence it trained on."""
    import random

    p = _claim_paths()
    header, rows = "", []
    for path in (p["subj_train"], p["subj_dev"]):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0]
        rows += [line for line in lines[1:] if line.strip()]
    rng = random.Random(spec["seed"])
    train, val = [], []
    for label in ("SUBJ", "OBJ"):
        group = [r for r in rows if r.split("\t")[2] == label]
        rng.shuffle(group)
        cut = round(len(group) * 0.2)
        val += group[:cut]
        train += group[cut:]
    work.mkdir(parents=True, exist_ok=True)
    out = work / "subj_pooled_train.tsv", work / "subj_pooled_val.tsv"
    for path, part in zip(out, (train, val), strict=True):
        path.write_text("\n".join([header, *part]) + "\n", encoding="utf-8")
    return out


def subj_job(spec: dict) -> dict:
    """Stage 1 (encoder and claim heads) with the standard or the pooled subjectivity data,
    then dev-test figures: at the threshold chosen on validation, and (an upper bound, never
    used to choose) at the best threshold on dev-test itself, with the ROC AUC."""
    import torch

    from claimscope.evaluation.claim_data import read_examples
    from claimscope.metrics import f1_score, macro_f1_score, roc_auc_score
    from claimscope.models.batches import read_tokenizer
    from claimscope.training import claims_model

    p = _claim_paths()
    work = RUNS / spec["name"] / "work"
    subj_train, subj_dev = p["subj_train"], p["subj_dev"]
    if spec.get("pooled"):
        subj_train, subj_dev = _pooled_subjectivity(spec, work)
    summary = _train_stage1(spec, work, subj_train, subj_dev)
    model = claims_model.ClaimModel(str(BASE))
    model.load_state_dict(torch.load(work / "model.pt"))
    if torch.cuda.is_available():
        model = model.cuda()
    tok = read_tokenizer(BASE, summary["config"]["max_len"])
    figures = {}
    for task, path in (("subjectivity", p["report_subj"]), ("checkworthiness", p["report_cw"])):
        examples = read_examples(path)
        gold = [e.label for e in examples]
        scores = claims_model.predict(model, tok, [e.text for e in examples], task)
        chosen = summary["selected"][task]["threshold"]
        metric = macro_f1_score if task == "subjectivity" else f1_score

        def f1(cut: float, scores: list = scores, gold: list = gold, metric=metric) -> float:
            return metric(gold, [int(v >= cut) for v in scores])

        figures[task] = {
            "file": path.name,
            "at_validation_threshold": f1(chosen),
            "threshold": chosen,
            "upper_bound_best_threshold_on_this_file": max(f1(c / 100) for c in range(2, 99)),
            "roc_auc": roc_auc_score(gold, scores),
        }
    return {
        "kind": "subj",
        "spec": spec,
        "selected": summary["selected"],
        "sizes": summary["data"]["sizes"],
        "held_out": figures,
    }


def claims2_job(spec: dict) -> dict:
    """Stage 2: technique heads on a branch of the top layer, the stage-1 model frozen; then
    the whole package (export, thresholds on validation, held-out figures, card)."""
    from claimscope.training import claims
    from claimscope.training.build import build_claim_model

    p = _claim_paths()
    config = claims.TrainConfig(
        epochs=1 if SMOKE else spec["epochs"],
        seed=spec.get("seed", 0),
        lr=spec.get("lr", 8e-5),
        warmup=spec.get("warmup", 0.06),
        subj_oversample=2,
        checkworthiness_per_epoch=6000,
        technique_branch=True,
        technique_weight_cap=spec.get("cap", 3.0),
        token_loss_weight=spec.get("token_loss_weight", 1.0),
        limit=48 if SMOKE else None,
        threads=2,
    )
    card = build_claim_model(
        checkworthiness=p["checkworthiness"],
        extra_checkworthiness=p["extra"],
        subjectivity_train=p["subj_train"],
        subjectivity_dev=p["subj_dev"],
        out=RUNS / spec["name"] / "model",
        work=RUNS / spec["name"] / "work",
        config=config,
        report_checkworthiness=p["report_cw"],
        report_subjectivity=p["report_subj"],
        compare_frozen=False,
        persuasion_dir=p["ptc"],
        persuasion_extra=p["memes"] if spec.get("memes", True) else None,
        init=Path(spec["init"]),
    )
    training = json.loads((RUNS / spec["name"] / "work" / "training.json").read_text())
    return {
        "kind": "claims2",
        "spec": spec,
        "key": claims._selection_key(training["selected"]),
        "selected": training["selected"],
        "metrics": card["metrics"],
        "model": str(RUNS / spec["name"] / "model"),
    }


def matching_job(spec: dict) -> dict:
    """``claimscope train matching``: train, export, score as it ships on dev and dev-test."""
    from claimscope.training.match_encoder import EncoderConfig
    from claimscope.training.match_export import build_match_model

    settings = {k: v for k, v in spec.items() if k not in ("kind", "name")}
    if SMOKE:
        settings["epochs"] = 1
    card = build_match_model(
        base=BASE,
        data_dir=DATA,
        out=RUNS / spec["name"] / "model",
        work=RUNS / spec["name"] / "work",
        config=EncoderConfig(**settings),
    )
    training = json.loads((RUNS / spec["name"] / "work" / "training.json").read_text())
    return {
        "kind": "matching",
        "spec": spec,
        "dev_key": training["selected_dev_map@5"],
        "metrics": card["metrics"],
        "model": str(RUNS / spec["name"] / "model"),
    }


JOBS = {
    "stance": stance_job,
    "claims1": claims1_job,
    "claims2": claims2_job,
    "matching": matching_job,
    "subj": subj_job,
}


def run_one(spec: dict) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    result = JOBS[spec["kind"]](spec)
    (RUNS / spec["name"]).mkdir(parents=True, exist_ok=True)
    (RUNS / spec["name"] / "result.json").write_text(json.dumps(result, indent=1, default=str))


def launch(specs: list[dict]) -> list[subprocess.Popen]:
    procs = []
    for spec in specs:
        (RUNS / spec["name"]).mkdir(parents=True, exist_ok=True)
        handle = (RUNS / f"{spec['name']}.log").open("w")
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "one", json.dumps(spec)],
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        )
        log(f"started {spec['name']}")
    return procs


def finish(procs: list[subprocess.Popen], specs: list[dict]) -> list[dict]:
    """Wait for the jobs, then their results (a failed job's log tail is printed)."""
    for proc in procs:
        proc.wait()
    return results(specs)


def results(specs: list[dict]) -> list[dict]:
    out = []
    for spec in specs:
        path = RUNS / spec["name"] / "result.json"
        if path.is_file():
            out.append(json.loads(path.read_text()))
        else:
            log(f"FAILED {spec['name']}: tail of its log follows")
            print((RUNS / f"{spec['name']}.log").read_text()[-3000:], flush=True)
    return out


def save_summary(summary: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(summary, indent=1, default=str))


def ship(folder: Path, prefix: str) -> None:
    """The model folder into $OUT: card.json, and model.onnx in parts under 16 MiB."""
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "card.json", OUT / f"{prefix}.card.json")
    data = (folder / "model.onnx").read_bytes()
    part = 15 * 1024 * 1024
    for i in range(0, len(data), part):
        (OUT / f"{prefix}.onnx.part{i // part}").write_bytes(data[i : i + part])


def orchestrate() -> None:
    summary: dict = {"smoke": SMOKE}
    stance_specs = [
        {"kind": "stance", "name": "stance-base", "seed": 0, "synthetic": False, "epochs": 4},
        {"kind": "stance", "name": "stance-synth0", "seed": 0, "synthetic": True, "epochs": 4},
        {"kind": "stance", "name": "stance-synth1", "seed": 1, "synthetic": True, "epochs": 4},
    ]
    claims1_specs = [
        {"kind": "claims1", "name": "c1-seed0", "seed": 0, "epochs": 2},
        {"kind": "claims1", "name": "c1-seed1", "seed": 1, "epochs": 2},
        {"kind": "claims1", "name": "c1-subj8", "seed": 0, "epochs": 3, "subj_oversample": 8},
    ]
    if os.environ.get("ONLY") == "stance":
        claims1_specs = []
    stance_procs = launch(stance_specs)
    stage1 = finish(launch(claims1_specs), claims1_specs)
    summary["claims1"] = stage1
    save_summary(summary)
    if stage1:
        chosen = max(stage1, key=lambda r: r["key"])
        log(f"stage 1 chosen: {chosen['spec']['name']} key {chosen['key']:.4f}")
        claims2_specs = [
            {"kind": "claims2", "name": "c2-e4", "init": chosen["work"], "epochs": 4},
            {"kind": "claims2", "name": "c2-e8", "init": chosen["work"], "epochs": 8},
        ]
        stage2 = finish(launch(claims2_specs), claims2_specs)
        summary["claims2"] = stage2
        save_summary(summary)
        if stage2:
            best2 = max(stage2, key=lambda r: r["key"])
            log(f"stage 2 chosen: {best2['spec']['name']} key {best2['key']:.4f}")
            ship(Path(best2["model"]), "claims")
            summary["claims_shipped"] = best2["spec"]["name"]
    stance = finish(stance_procs, stance_specs)
    summary["stance"] = stance
    synth = [r for r in stance if r["spec"]["synthetic"]]
    if synth:
        # Chosen on the dev key alone (SICK dev accuracy, Climate-FEVER dev macro-F1).
        best = max(synth, key=lambda r: r["dev_key"])
        ship(Path(best["model"]), "stance")
        summary["stance_shipped"] = best["spec"]["name"]
    wrap_up(summary)


def wrap_up(summary: dict) -> None:
    """The summary and the logs into $OUT; the end of a sweep."""
    save_summary(summary)
    save_logs()
    log("done")


def save_logs() -> None:
    with tarfile.open(OUT / "logs.tar.xz", "w:xz") as tar:
        for path in [*RUNS.glob("*.log"), *RUNS.glob("*/work/training.json")]:
            tar.add(path, arcname=str(path.relative_to(RUNS)))


def orchestrate_matching() -> None:
    specs = [
        {"name": "m-default", "epochs": 4},
        {"name": "m-lr2e5", "epochs": 4, "lr": 2e-5},
        {"name": "m-lr5e5-e6", "epochs": 6, "lr": 5e-5},
        {"name": "m-hard3", "epochs": 4, "hard_from": 3},
        {"name": "m-seed1", "epochs": 4, "seed": 1},
        {"name": "m-bs64-e6", "epochs": 6, "batch_size": 64},
    ]
    specs = [{"kind": "matching", **spec} for spec in specs]
    done = finish(launch(specs), specs)
    summary: dict = {"smoke": SMOKE, "matching": done}
    if done:
        best = max(done, key=lambda r: r["dev_key"])  # chosen on dev MAP@5 alone
        ship(Path(best["model"]), "match")
        summary["matching_shipped"] = best["spec"]["name"]
    wrap_up(summary)


def orchestrate_subjectivity() -> None:
    specs = [
        {"kind": "subj", "name": f"s-{kind}-{seed}", "seed": seed, "epochs": 3, "pooled": pooled}
        for kind, pooled in (("standard", False), ("pooled", True))
        for seed in (0, 1, 2)
    ]
    done = finish(launch(specs), specs)
    wrap_up({"smoke": SMOKE, "subjectivity": done})


if __name__ == "__main__":
    if sys.argv[1] == "one":
        run_one(json.loads(sys.argv[2]))
    elif sys.argv[1] == "subjectivity":
        orchestrate_subjectivity()
    elif sys.argv[1] == "matching":
        orchestrate_matching()
    else:
        orchestrate()
