import pytest

from claimscope.errors import InputError
from claimscope.evaluation.ptc import read_ptc, split_articles
from claimscope.persuasion.techniques import BY_KEY, CATALOGUE, KEYS
from tests.persuasion.ptc_fixture import write_ptc


def test_catalogue_has_the_14_ptc_techniques_with_explanations():
    assert len(KEYS) == len(set(KEYS)) == 14
    for t in CATALOGUE:
        assert t.explanation.endswith(".") and len(t.explanation) < 140
    assert BY_KEY["whataboutism"].ptc == "Whataboutism,Straw_Men,Red_Herring"


@pytest.mark.parametrize("combined", [False, True])
def test_read_ptc_reads_articles_and_spans(tmp_path, combined):
    articles = read_ptc(write_ptc(tmp_path, combined_labels=combined))
    assert [a.id for a in articles] == ["900001", "900002"]
    first = articles[0]
    assert first.text[first.spans[0].start : first.spans[0].end] == "disgraceful betrayal"
    assert {g.technique for g in first.spans} == {"loaded_language", "doubt"}
    # Sentences are the non-blank lines; labels follow the spans that overlap them.
    assert next(first.text[s:e] for s, e in first.sentences()) == "Harbour council votes on budget"
    assert first.sentence_labels() == [set(), set(), {"loaded_language"}, {"doubt"}, set()]


def test_read_ptc_names_the_bad_label_line(tmp_path):
    root = write_ptc(tmp_path)
    labels = root / "labels" / "article900001.task2-TC.labels"
    labels.write_text("900001\tNot_A_Technique\t0\t5\n")
    with pytest.raises(InputError, match=r"task2-TC.labels:1: unknown technique"):
        read_ptc(root)
    labels.write_text("900001\tDoubt\t0\t99999\n")
    with pytest.raises(InputError, match="outside article"):
        read_ptc(root)
    labels.write_text("900001\tDoubt\t0\n")
    with pytest.raises(InputError, match="4 tab-separated fields"):
        read_ptc(root)


def test_read_ptc_needs_articles_and_labels(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        read_ptc(tmp_path / "missing")
    with pytest.raises(InputError, match="no article"):
        read_ptc(tmp_path)
    (tmp_path / "article1.txt").write_text("A title\n\nA sentence.\n")
    with pytest.raises(InputError, match="no task2-TC"):
        read_ptc(tmp_path)


def test_split_is_by_article_seeded_and_disjoint():
    ids = [str(i) for i in range(100)]
    split = split_articles(ids, seed=3)
    assert split == split_articles(reversed(ids), seed=3)
    assert split != split_articles(ids, seed=4)
    sets = [set(v) for v in split.values()]
    assert sum(map(len, sets)) == 100 and set.union(*sets) == set(ids)
    assert (len(split["dev"]), len(split["validation"])) == (13, 10)
