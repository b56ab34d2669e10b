"""The trainers' configs share fields through base classes (training/config.py): each still
records every key its shipped card records, and reads a recorded config back."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

pytest.importorskip("torch")

from claimscope.training.claims import TrainConfig
from claimscope.training.match_encoder import EncoderConfig
from claimscope.training.matching import MatchConfig
from claimscope.training.stance import StanceConfig
from claimscope.training.teacher_data import TeacherConfig

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "src" / "claimscope" / "models"


def _card(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _names(config: type) -> set[str]:
    return {f.name for f in fields(config)}


def test_configs_record_their_cards_keys() -> None:
    claims = _card(MODELS / "claims-minilm" / "card.json")["training"]
    for stage in ("stage_1_claims", "stage_2_techniques"):
        # The card predates the distillation fields; every key it has is still a field.
        assert set(claims[stage]["config"]) <= _names(TrainConfig)
    match = _card(MODELS / "match-minilm" / "card.json")["training"]["config"]
    assert set(match) == _names(EncoderConfig) == set(asdict(EncoderConfig()))
    stance = _card(MODELS / "stance-minilm" / "card.json")["training"]["config"]
    assert set(stance) == _names(StanceConfig)
    teacher = _card(ROOT / "benchmarks" / "results" / "train_teacher.json")["config"]
    assert set(teacher) == _names(TeacherConfig)


def test_claims_config_keeps_its_key_order() -> None:
    # training.json lists the config in field order: the base's fields come first, as before.
    stage = _card(MODELS / "claims-minilm" / "card.json")["training"]["stage_2_techniques"]
    names = [f.name for f in fields(TrainConfig)]
    assert [n for n in names if n in stage["config"]] == list(stage["config"])


@pytest.mark.parametrize("config", [TrainConfig, TeacherConfig, MatchConfig, EncoderConfig])
def test_recorded_config_reads_back(config: type) -> None:
    made = config(seed=3, epochs=1)
    assert config(**asdict(made)) == made
    assert made.seed == 3 and made.epochs == 1
