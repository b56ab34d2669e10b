"""Evidence fixtures written for these tests: short fictional articles, bad inputs, a fake
stance model and Climate-FEVER-shaped claims about fictional places."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

BORDER = """Korvana sends troops to the Ostmark border

The Korvana defence ministry said on Tuesday that 1,500 troops were sent to the Ostmark border. \
The deployment will end on June 30, 2024.

Advertisement

Officials in Ostmark said the soldiers arrived by train. Residents reported long convoys on the \
main road.
"""
HARBOUR = """Valmora harbour deal approved

The Valmora harbour deal will create about 4,000 jobs, according to the port authority. Critics \
said the figure was inflated.

The council of Valmora approved the deal by nine votes to two.
"""
FERRY = """Ferry fares in Santa Lucía

Ferry fares to Santa Lucía doubled in 2023, the island's transport office said. A return ticket \
now costs 40 euros.
"""
RECORDS = [
    {
        "text": "Norwick will not build a new bridge over the Lesna river, the mayor said.",
        "title": "No bridge for Norwick",
        "url": "https://news.example/norwick-bridge",
        "date": "2024-05-02",
    },
    {"title": "a record without its text"},
]


def write_corpus(folder: Path) -> Path:
    """Three articles, a JSONL file with one good and one bad record, and two bad files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "border.txt").write_text(BORDER, encoding="utf-8")
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "ferry.md").write_text(FERRY, encoding="utf-8")
    (folder / "records.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8"
    )
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 20)
    return folder


class FakeStance:
    """A stance model by keyword: a passage containing a ``refute`` word refutes the claim, one
    containing a ``support`` word supports it, any other is neutral."""

    name = "fake-stance"

    def __init__(self, support: Sequence[str] = (), refute: Sequence[str] = ()) -> None:
        self.support = support
        self.refute = refute
        self.calls = 0

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        self.calls += 1
        out = []
        for _, passage in pairs:
            if any(w in passage for w in self.refute):
                out.append({"supports": 0.05, "refutes": 0.9, "neutral": 0.05})
            elif any(w in passage for w in self.support):
                out.append({"supports": 0.9, "refutes": 0.05, "neutral": 0.05})
            else:
                out.append({"supports": 0.05, "refutes": 0.05, "neutral": 0.9})
        return out


def _evidence(sentence: str, label: str) -> dict[str, object]:
    return {
        "evidence_id": "x",
        "evidence_label": label,
        "article": "Fictional",
        "evidence": sentence,
    }


# Claims whose evidence a FakeStance(support=["indeed"], refute=["never"]) reads right.
LABELLED_CLAIMS = [
    (
        "1",
        "Lake Oriol froze over in 1990.",
        "SUPPORTS",
        ["Lake Oriol indeed froze over in the winter of 1990.", "Lake Oriol lies in the north."],
    ),
    (
        "2",
        "Dunmere glaciers grew last decade.",
        "REFUTES",
        ["Dunmere glaciers never grew in that decade.", "Dunmere is a mountain town."],
    ),
    (
        "3",
        "Velstrand has the warmest summers.",
        "DISPUTED",
        ["Velstrand indeed has warm summers.", "Velstrand never had the warmest summers."],
    ),
    (
        "4",
        "Korsa rainfall doubled since 1950.",
        "NOT_ENOUGH_INFO",
        ["Korsa is a coastal city.", "Rain gauges in Korsa were installed in 1950."],
    ),
]


def write_claims(path: Path, copies: int = 6) -> Path:
    """Climate-FEVER-shaped JSONL: the claims above, ``copies`` times under new ids, and one
    bad line."""
    lines = []
    for n in range(copies):
        for cid, claim, label, evidence in LABELLED_CLAIMS:
            record = {
                "claim_id": f"{cid}-{n}",
                "claim": f"{claim} (case {n})",
                "claim_label": label,
                "evidences": [_evidence(f"{s} (case {n})", "?") for s in evidence],
            }
            lines.append(json.dumps(record))
    lines.append(json.dumps({"claim_id": "bad", "claim": "x", "claim_label": "MAYBE"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
