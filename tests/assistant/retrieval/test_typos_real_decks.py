"""Typo correction on both real decks, against a dev set of questions typed as students type them
(``data/typo_dev_*.tsv``; the reported typo'd sets are the eval's, never tuned on here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.retrieval import FREE_FORM, free_form_queries

DATA = Path(__file__).resolve().parent / "data"


def dev_set(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            typed, wanted = line.split("\t")
            rows.append((typed, wanted))
    return rows


def check(retriever, dev: str, clean: list[str]) -> None:
    wrong = [
        (typed, retriever.read(typed).searched)
        for typed, wanted in dev_set(dev)
        if retriever.read(typed).searched != wanted
    ]
    assert not wrong, wrong
    changed = [(q, retriever.read(q).changes) for q in clean if retriever.read(q).changes]
    assert not changed, changed  # questions typed without typos are searched as typed


@pytest.mark.slow
def test_the_course_deck_dev_set(real_retriever) -> None:
    clean = [q.text for q in free_form_queries(FREE_FORM)] + [q.text for q in real_retriever.bank]
    check(real_retriever, "typo_dev_aml.tsv", clean)
    assert real_retriever.read("what is mode collapse in GANs").unknown == ("mode collapse",)


@pytest.mark.slow
def test_the_second_course_dev_set(other_course_index, tmp_path: Path) -> None:
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(other_course_index[0], Path("none"))
    clean = [q.text for q in free_form_queries(FREE_FORM.with_name("free_form_mml.tsv"))]
    check(retriever, "typo_dev_mml.tsv", clean)
