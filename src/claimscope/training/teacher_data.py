"""The teacher's settings and data: the claim trainer's files under the data folder, read and
split as ``claimscope train claims`` reads and splits them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimscope.evaluation.claim_data import Example, deduplicate, read_examples
from claimscope.evaluation.ptc import read_ptc, split_articles
from claimscope.training import persuasion
from claimscope.training.claims import _split
from claimscope.training.config import ClaimTaskConfig


@dataclass(slots=True)
class TeacherConfig(ClaimTaskConfig):
    """Hyper-parameters of a teacher run (stored in ``teacher.json``)."""

    # Embeddings and this many lower layers are frozen and cached; the rest are trained.
    frozen_layers: int = 9
    token_loss_weight: float = 1.0
    technique_weight_cap: float = 10.0
    # Batches of similar lengths: each task's shuffled examples are cut into chunks of this many
    # batches, sorted by length within a chunk (random batches are ~2.8x padding on CT24).
    bucket_batches: int = 50
    checkpoint_minutes: float = 10.0  # 0: after every step
    shard_size: int = 1024  # texts per cache shard
    threads: int = 1

    def run_settings(self) -> dict[str, Any]:
        """What decides the trained weights (not how often to checkpoint, nor threads)."""
        out = dataclasses.asdict(self)
        for key in ("checkpoint_minutes", "threads"):
            out.pop(key)
        return out


@dataclass(slots=True)
class TeacherData:
    """The claim trainer's data and splits, read once."""

    cw_train: list[Example]
    cw_val: list[Example]
    subj_train: list[Example]
    subj_val: list[Example]
    ptc_train: list[persuasion.Sentence]
    ptc_val: list[persuasion.Sentence]
    cw_report: list[Example]
    subj_report: list[Example]
    ptc_dev: list[persuasion.Sentence]
    files: dict[str, Any]
    extra_after_dedup: int = 0

    def texts(self) -> list[str]:
        """Every text the run reads, each once, in a fixed order."""
        seen: dict[str, None] = {}
        for group in (
            self.cw_train,
            self.subj_train,
            self.ptc_train,
            self.cw_val,
            self.subj_val,
            self.ptc_val,
            self.cw_report,
            self.subj_report,
            self.ptc_dev,
        ):
            for item in group:
                seen.setdefault(item.text, None)
        return list(seen)

    def sizes(self) -> dict[str, int]:
        return {
            "checkworthiness_train": len(self.cw_train),
            "checkworthiness_validation": len(self.cw_val),
            "checkworthiness_extra_after_dedup": self.extra_after_dedup,
            "subjectivity_train": len(self.subj_train),
            "subjectivity_dev": len(self.subj_val),
            "techniques_train_sentences": len(self.ptc_train),
            "techniques_validation_sentences": len(self.ptc_val),
            "checkworthiness_held_out": len(self.cw_report),
            "subjectivity_held_out": len(self.subj_report),
            "techniques_dev_sentences": len(self.ptc_dev),
        }


def read_teacher_data(data_dir: Path, config: TeacherConfig) -> TeacherData:
    """The files ``claimscope train claims`` reads under ``data_dir``, split as it splits them.

    Needs CT24 train, CT25 train and dev and the PTC articles; CT24 dev, CT25 dev_test,
    ClaimBuster and the SemEval-2021 meme texts are used when present.
    """
    cw_dir, subj_dir = data_dir / "checkworthiness", data_dir / "subjectivity"
    ptc_dir, task6 = data_dir / "persuasion" / "ptc", data_dir / "persuasion" / "semeval2021_task6"
    needed = [
        cw_dir / "ct24_english_train.tsv",
        subj_dir / "ct25_train_en.tsv",
        subj_dir / "ct25_dev_en.tsv",
        ptc_dir,
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise FileNotFoundError(f"training data not found: {', '.join(missing)}")
    report_cw, report_subj = cw_dir / "ct24_english_dev.tsv", subj_dir / "ct25_dev_test_en.tsv"
    cw = read_examples(cw_dir / "ct24_english_train.tsv")
    cw_report = read_examples(report_cw) if report_cw.is_file() else []
    subj_report = read_examples(report_subj) if report_subj.is_file() else []
    extra: list[Example] = []
    claimbuster = cw_dir / "claimbuster" / "train.json"
    if claimbuster.is_file():
        extra = deduplicate(read_examples(claimbuster), cw + cw_report + subj_report)
    cw_train, cw_val = _split(cw, config.val_fraction, config.seed)
    cw_train += extra
    articles = read_ptc(ptc_dir)
    split = split_articles([a.id for a in articles], seed=config.seed)
    by_id = {a.id: a for a in articles}
    by_split = {name: [by_id[i] for i in ids] for name, ids in split.items()}
    memes = [task6 / "training_set_task2.txt", task6 / "dev_set_task2.txt"]
    ptc_train = persuasion.sentences(by_split["train"]) + [
        x for path in memes if path.is_file() for x in persuasion.read_semeval2021(path)
    ]
    data = TeacherData(
        cw_train=cw_train,
        cw_val=cw_val,
        subj_train=read_examples(subj_dir / "ct25_train_en.tsv"),
        subj_val=read_examples(subj_dir / "ct25_dev_en.tsv"),
        ptc_train=ptc_train,
        ptc_val=persuasion.sentences(by_split["validation"]),
        cw_report=cw_report,
        subj_report=subj_report,
        ptc_dev=persuasion.sentences(by_split["dev"]),
        files={
            "checkworthiness": str(cw_dir / "ct24_english_train.tsv"),
            "checkworthiness_extra": str(claimbuster) if claimbuster.is_file() else None,
            "subjectivity_train": str(subj_dir / "ct25_train_en.tsv"),
            "subjectivity_dev": str(subj_dir / "ct25_dev_en.tsv"),
            "held_out_checkworthiness": str(report_cw) if cw_report else None,
            "held_out_subjectivity": str(report_subj) if subj_report else None,
            "techniques": str(ptc_dir),
            "techniques_extra": [str(p) for p in memes if p.is_file()],
            "techniques_split": split,
        },
        extra_after_dedup=len(extra),
    )
    if config.limit:
        n, m = config.limit, config.limit // 4 or 8
        for name, cut in (
            ("cw_train", n),
            ("subj_train", n),
            ("ptc_train", n),
            ("cw_val", m),
            ("subj_val", m),
            ("ptc_val", m),
            ("cw_report", m),
            ("subj_report", m),
            ("ptc_dev", m),
        ):
            setattr(data, name, getattr(data, name)[:cut])
    return data
