"""The attribution rules' words: reporting verbs, the words around a source, the token pattern.

Shared by the rules (``extract/attribution.py``, ``attribution_phrases.py``) and the learned
tagger's features (``attribution_features.py``), so that both read the same words.
"""

from __future__ import annotations

import re

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
NAME_LABELS = frozenset({"PERSON", "ORG"})

# Reporting verbs that report speech wherever they stand.
STRONG = frozenset(
    """said says say saying told tells tell telling reported stated claimed claiming announced
    announces announcing announce warned warns warning warn declared declares declare insisted
    insists insisting insist argued argues arguing argue explained explains explaining explain
    tweeted tweeting wrote writes writing acknowledged acknowledges acknowledge admitted admits
    admit alleged alleges alleging allege asserted asserts assert confirmed confirms confirm
    denied denies deny revealed reveals testified disclosed discloses predicted predicts predict
    stressed stresses stress emphasized emphasised emphasizes emphasises emphasize clarified
    clarifies recalled recalls recall replied replies reply responded responds respond conceded
    concedes concede countered complained complains complain contended contends contend remarked
    asked asks urged urges urging accused accuses accusing criticized criticised criticizes
    promised promises pledged pledges vowed vows vowing cautioned cautions""".split()
)
# Verbs (and nouns-or-verbs) that report speech only when a clause follows: "added that",
# "notes:", "thinks he will", or a quotation before them ("adds another layer" reports nothing).
WEAK = frozenset(
    """added adds adding noted notes noting note continued continues suggested suggests
    suggesting suggest concluded concludes conclude showed shows show showing found finds find
    estimated estimates estimate maintained maintains maintain posted believes believe believed
    thinks think thought reports report claims claim states tweets observed learned agreed agrees
    agree knows know expects expect expected hopes hope hoped fears fear feared worries worried
    worry indicated indicates""".split()
)
VERBS = STRONG | WEAK
# Forms that are also nouns ("the reports", "his claims"): a verb only after a subject.
NOUNISH = frozenset(
    """reports report claims claim states shows show notes note estimates estimate tweets finds
    find hopes hope fears fear worries stress promises pledges vows reply""".split()
)
ING = frozenset(w for w in VERBS if w.endswith("ing"))
# Words between the subject and the verb that belong to the cue ("has repeatedly stated").
AUX = frozenset(
    """has have had also later previously recently publicly repeatedly officially would will
    could might may can did does do not never once often already again just reportedly
    privately frequently initially originally earlier then ’ve 've further first ultimately
    even still""".split()
)
NOT_ADVERB = frozenset(
    """family ally rally assembly supply reply anomaly monopoly belly bully jelly folly homily
    tally daily weekly monthly quarterly yearly ugly only early likely friendly elderly lonely
    holy silly italy july""".split()
)
PASSIVE = frozenset("is was were are be been being get got gets".split())
DETERMINERS = frozenset(
    """the a an this these those some many most several other another both all each every few
    no any his her their its our my your one two three four five six seven eight nine ten
    dozens hundreds thousands""".split()
)
PREPOSITIONS = frozenset(
    "of in at for from with on by to near inside within outside across among under behind".split()
)
# Words that end a noun phrase on the left: conjunctions, subordinators, verbs, adverbs.
STOP = frozenset(
    """and or but nor so yet because although though while whereas if unless when whenever where
    after before since until as than that which what whom whose how why whether is are was were
    be been being has have had do does did will would can could should shall may might must
    not also then now there here however meanwhile instead still even just too very said says
    didn't doesn't don't won't wouldn't can't couldn't isn't wasn't aren't weren't hasn't
    told asked ’s 's it's there's said, whom""".split()
)
SUBJECT_PRONOUNS = frozenset("he she they we i you it who which".split())
OBJECT_PRONOUNS = frozenset("him them us me this that these those".split())
PRONOUNS = SUBJECT_PRONOUNS | OBJECT_PRONOUNS | frozenset("her my our his their its your".split())
REFLEXIVE = frozenset("himself herself themselves itself myself ourselves".split())
TIME_NOUNS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    week weekend month year morning afternoon evening night weeks months years days
    january february march april may june july august september october november december""".split()
)
TIME_WORDS = TIME_NOUNS | frozenset("last this next early late earlier on in ago".split())
# Phrases after a verb that are neither addressee nor content ("said in a statement that").
AFTER_CUE = re.compile(
    r"(?:\s*,?\s*(?:(?:on|in|at|during|over|via|through|to)\s+"
    r"(?:(?:a|an|the|his|her|their|its)\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:statement|interview|speech|email|e-mail|letter|post|tweet|"
    r"video|op-ed|release|press release|conference|news conference|press conference|briefing|"
    r"hearing|rally|event|meeting|debate|call|phone call|radio|television|Twitter|Facebook|"
    r"Instagram|reporters|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|week|month|year|morning|evening|night|afternoon)(?:\s+\d{1,2})?"
    r"|(?:last|this|earlier this|late last|early|late)\s+(?:week|month|year|weekend|morning|"
    r"night|evening|afternoon)|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"today|yesterday|tonight|recently|earlier|later|again|also|too|once|repeatedly|publicly|"
    r"privately|previously))+\b",
)
ADDRESSEE_VERBS = frozenset("told tells tell telling asked asks".split())
ADDRESSEE_WORDS = frozenset(
    """reporters journalists supporters voters lawmakers members the a an his her their him her
    them me us you crowd audience press paper newspaper magazine station network committee
    senators delegates donors students attendees viewers listeners readers""".split()
)
ACCORDING = re.compile(r"\b[Aa]ccording to\b")
DESCRIPTOR = re.compile(
    r"(?:(?:the|a|an)\s+)?(?:(?:news|media|local|state|independent|investigative)\s+)?"
    r"(?:outlet|newspaper|website|agency|broadcaster|site|magazine|daily|report by|"
    r"reports by|data from|figures from|a statement by|statement by|statements by|"
    r"a statement from|statement from|a report from|report from|an interview with|"
    r"interview with)\s+",
    re.IGNORECASE,
)
# Words (with initials, titles and "U.S." whole), "''" quotation marks, punctuation.
TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])"
    r"|(?:Mr|Mrs|Ms|Dr|Sen|Sens|Rep|Reps|Gov|Gen|St|Jr|Sr|Lt|Col|Sgt|Prof|Rev|Hon|Maj|Capt|Adm"
    r"|Pres|Ft|Amb|Atty|Supt|Insp|Cmdr|Mt)\.|\w+(?:[-'’&.]\w+)*|''|\S"
)
# A quick test that a sentence may hold a cue at all (most do not).
CUE_WORDS = VERBS | {"according"}
LETTERS = re.compile(r"[a-z]+")
QUOTES = frozenset(('"', "“", "”", "«", "»", "''"))
BREAKS = frozenset(",;:()—–") | QUOTES
CLAUSE_BREAKS = frozenset(",;:—–") | QUOTES
AND = frozenset(("and", "but", "then"))
CLAUSE_SUBJECTS = frozenset("he she they we i there it".split())
OPENERS = frozenset(
    "in on at after before during since following when while as last earlier".split()
)
PARENTHETICAL = frozenset(
    "however meanwhile though too instead also moreover nonetheless nevertheless".split()
)
NOT_SUBJECT = frozenset("to a an the his her their its our my your let's let’s all".split())
CLOSE_QUOTES = frozenset(('"', "”", "»", "''"))
PUNCT_EDGE = " \t\n\u00a0,;:.—–-"
MAX_NP = 14
MAX_VS_HEAD = 8  # "said Jane Doe": the name after the verb, before any appositive
MAX_APPOSITIVE = 30
