"""The persuasion techniques claimscope detects: the 14 classes of the Propaganda Techniques
Corpus (SemEval-2020 task 11, which merged the rarest of its 18 into these), with short keys,
display names and one-line explanations written for readers of the reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class TechniqueInfo:
    """One technique: its key, the PTC label it comes from, a display name and an explanation."""

    key: str
    ptc: str
    name: str
    explanation: str


CATALOGUE: tuple[TechniqueInfo, ...] = (
    TechniqueInfo(
        "loaded_language",
        "Loaded_Language",
        "Loaded language",
        "Words picked for their emotional charge rather than their meaning, to sway the reader.",
    ),
    TechniqueInfo(
        "name_calling",
        "Name_Calling,Labeling",
        "Name calling",
        "A label the audience fears, hates or admires, put on a target instead of an argument.",
    ),
    TechniqueInfo(
        "repetition",
        "Repetition",
        "Repetition",
        "The same message said again and again until it sounds true.",
    ),
    TechniqueInfo(
        "doubt",
        "Doubt",
        "Doubt",
        "Questions the credibility of someone or something without giving evidence.",
    ),
    TechniqueInfo(
        "exaggeration",
        "Exaggeration,Minimisation",
        "Exaggeration or minimisation",
        "Makes something look bigger, better or worse than it is, or plays it down.",
    ),
    TechniqueInfo(
        "fear",
        "Appeal_to_fear-prejudice",
        "Appeal to fear or prejudice",
        "Wins support for an idea by stirring fear of, or prejudice against, the alternative.",
    ),
    TechniqueInfo(
        "flag_waving",
        "Flag-Waving",
        "Flag-waving",
        "Justifies an idea by appeal to group pride or identity: nation, party, faith.",
    ),
    TechniqueInfo(
        "causal_oversimplification",
        "Causal_Oversimplification",
        "Causal oversimplification",
        "Names one cause for an outcome that has many.",
    ),
    TechniqueInfo(
        "appeal_to_authority",
        "Appeal_to_Authority",
        "Appeal to authority",
        "Says a claim is true because an authority says so, with no other support.",
    ),
    TechniqueInfo(
        "slogans",
        "Slogans",
        "Slogan",
        "A short, striking phrase that stands in for an argument.",
    ),
    TechniqueInfo(
        "whataboutism",
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism, straw man, red herring",
        "Deflects: answers criticism by pointing elsewhere, distorts the other side's "
        "position, or changes the subject.",
    ),
    TechniqueInfo(
        "black_and_white",
        "Black-and-White_Fallacy",
        "Black-and-white fallacy",
        "Presents two options as the only ones possible.",
    ),
    TechniqueInfo(
        "thought_terminating_cliche",
        "Thought-terminating_Cliches",
        "Thought-terminating cliché",
        "A stock phrase that closes a discussion instead of answering it.",
    ),
    TechniqueInfo(
        "bandwagon",
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon or reductio ad Hitlerum",
        "Urges agreement because everyone agrees, or rejects an idea because a hated group "
        "holds it.",
    ),
)

# The model's technique outputs come in this order.
KEYS: tuple[str, ...] = tuple(t.key for t in CATALOGUE)
BY_KEY = {t.key: t for t in CATALOGUE}
BY_PTC = {t.ptc: t for t in CATALOGUE}
