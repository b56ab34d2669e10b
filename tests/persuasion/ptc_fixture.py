"""A tiny PTC-format corpus written for the tests: articles and task2-TC labels."""

from __future__ import annotations

from pathlib import Path

# (sentence, [(technique as PTC names it, fragment)]) per line; the fragments are located by find.
ARTICLES = {
    "900001": [
        ("Harbour council votes on budget", []),
        ("The council approved a budget of 4 million euros on Monday.", []),
        (
            "Critics called the plan a disgraceful betrayal of every taxpayer.",
            [
                ("Loaded_Language", "disgraceful betrayal"),
            ],
        ),
        (
            "Is the mayor really telling us the truth about the costs?",
            [("Doubt", "Is the mayor really telling us the truth about the costs?")],
        ),
        ("The vote passed 21 to 9.", []),
    ],
    "900002": [
        ("Ferry service resumes", []),
        (
            "These reckless bureaucrats want to destroy our town.",
            [
                ("Name_Calling,Labeling", "reckless bureaucrats"),
                ("Appeal_to_fear-prejudice", "want to destroy our town"),
            ],
        ),
        ("The ferry will sail twice a day from 1 June.", []),
        (
            "Why fix the ferry when the bridge has been broken for years?",
            [
                (
                    "Whataboutism,Straw_Men,Red_Herring",
                    "Why fix the ferry when the bridge has been broken for years?",
                ),
            ],
        ),
    ],
}


def write_ptc(root: Path, *, combined_labels: bool = False, copies: int = 1) -> Path:
    """Write the corpus under ``root`` (articles/ and labels/, as the PTC release lays it out);
    ``copies`` repeats it under new ids (for training smoke tests that need a split)."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    all_rows = []
    articles = {
        str(int(article_id) + 10 * k): lines
        for k in range(copies)
        for article_id, lines in ARTICLES.items()
    }
    for article_id, lines in articles.items():
        title, *body = lines
        text = title[0] + "\n\n" + "\n".join(s for s, _ in body) + "\n"
        (root / "articles" / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        rows = []
        for sentence, spans in body:
            base = text.index(sentence)
            for technique, fragment in spans:
                start = base + sentence.index(fragment)
                rows.append(f"{article_id}\t{technique}\t{start}\t{start + len(fragment)}")
        all_rows += rows
        if not combined_labels:
            (root / "labels" / f"article{article_id}.task2-TC.labels").write_text(
                "\n".join(rows) + "\n", encoding="utf-8"
            )
    if combined_labels:
        (root / "labels" / "train-task2-TC.labels").write_text("\n".join(all_rows) + "\n")
    return root
