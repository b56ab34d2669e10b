"""GPU sweep of the bi-encoder fact-check matcher (``claimscope train matching``).

Variants train in parallel processes on the one GPU; each is exported and scored as it would
ship. The one best on dev (MAP@5) is copied to $OUT (ONNX in parts under 16 MiB) with every
variant's figures. ``python3 match_sweep.py`` orchestrates; ``match_sweep.py one SPEC`` runs one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

DATA = Path(os.environ.get("GPU_DATA", "/tmp/data"))
BASE = Path(os.environ.get("GPU_BASE", "/tmp/base"))
RUNS = Path(os.environ.get("GPU_RUNS", "/tmp/runs"))
OUT = Path(os.environ.get("OUT", "/tmp/out"))
SPECS = [
    {"name": "m-default", "epochs": 4},
    {"name": "m-lr2e5", "epochs": 4, "lr": 2e-5},
    {"name": "m-lr5e5-e6", "epochs": 6, "lr": 5e-5},
    {"name": "m-hard3", "epochs": 4, "hard_from": 3},
    {"name": "m-seed1", "epochs": 4, "seed": 1},
    {"name": "m-bs64-e6", "epochs": 6, "batch_size": 64},
]


def one(spec: dict) -> None:
    import logging

    from claimscope.training.match_encoder import EncoderConfig, build_match_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    name = spec.pop("name")
    card = build_match_model(
        base=BASE,
        data_dir=DATA,
        out=RUNS / name / "model",
        work=RUNS / name / "work",
        config=EncoderConfig(**spec),
    )
    training = json.loads((RUNS / name / "work" / "training.json").read_text())
    result = {
        "name": name,
        "spec": spec,
        "selected_dev_map@5": training["selected_dev_map@5"],
        "metrics": card["metrics"],
    }
    (RUNS / name / "result.json").write_text(json.dumps(result, indent=1))


def orchestrate() -> None:
    RUNS.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    procs = []
    for spec in SPECS:
        with (RUNS / f"{spec['name']}.log").open("w") as log:
            command = [sys.executable, __file__, "one", json.dumps(spec)]
            procs.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    for proc in procs:
        proc.wait()
    results = []
    for spec in SPECS:
        path = RUNS / spec["name"] / "result.json"
        if path.is_file():
            results.append(json.loads(path.read_text()))
        else:
            print("FAILED", spec["name"], (RUNS / f"{spec['name']}.log").read_text()[-2500:])
    summary: dict = {"results": results}
    if results:
        best = max(results, key=lambda r: r["selected_dev_map@5"])  # chosen on dev alone
        summary["shipped"] = best["name"]
        folder = RUNS / best["name"] / "model"
        (OUT / "match.card.json").write_text((folder / "card.json").read_text())
        data, part = (folder / "model.onnx").read_bytes(), 15 * 1024 * 1024
        for i in range(0, len(data), part):
            (OUT / f"match.onnx.part{i // part}").write_bytes(data[i : i + part])
    (OUT / "match_results.json").write_text(json.dumps(summary, indent=1))
    with tarfile.open(OUT / "match_logs.tar.xz", "w:xz") as tar:
        for log in RUNS.glob("*.log"):
            tar.add(log, arcname=log.name)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "one":
        one(json.loads(sys.argv[2]))
    else:
        orchestrate()
